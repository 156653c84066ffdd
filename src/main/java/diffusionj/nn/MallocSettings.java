package diffusionj.nn;

import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * Asks glibc to return large blocks to the system as soon as they are freed. By default glibc raises its mmap
 * threshold to the size of each large block freed (up to 32 MiB), and from then on keeps blocks below it in its
 * heaps, where freed memory stays resident: measured on a 512² fp16 generation (bench --e2e), the peak was
 * 4.9–5.9 GiB with the default and 2.95 GiB with the threshold fixed at 1 MiB, at the same step time. The
 * graphs' large arrays now come from {@link ArrayArena}; what glibc still serves are ops' internal scratch
 * buffers. The environment variable {@code MALLOC_MMAP_THRESHOLD_} does the same, but ImageJ and Fiji are not started by our launcher, so it is set here, through JNA (which
 * ND4J already brings), before ND4J allocates. Elsewhere than on Linux with glibc this does nothing.
 */
final class MallocSettings {
    /** glibc's {@code M_MMAP_THRESHOLD} parameter of {@code mallopt}. */
    private static final int M_MMAP_THRESHOLD = -3;
    static final int MMAP_THRESHOLD_BYTES = 1 << 20;

    private interface C extends Library {
        int mallopt(int param, int value);
    }

    private MallocSettings() {
    }

    /** @return whether glibc took the setting */
    static boolean returnLargeBlocksAtOnce() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux") || System.getenv("MALLOC_MMAP_THRESHOLD_") != null) {
            return false;
        }
        try {
            C c = Native.loadLibrary("c", C.class);
            return c.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) == 1;
        } catch (Throwable e) {
            // Not glibc, or JNA missing: memory behaves as before, nothing else changes.
            return false;
        }
    }
}
