package diffusionj.io;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

import java.nio.ByteBuffer;

/**
 * Lets the process stop holding the pages of a memory-mapped tensor: {@code madvise(MADV_DONTNEED)} on a
 * read-only file mapping unmaps its pages from the process, which leaves them in the page cache, where the kernel
 * keeps or drops them like any file's. The next read maps them again: a minor fault per 64 KiB (the kernel maps up
 * to 16 cached pages a fault), far cheaper than a read from disk. So a generation holds the UNet's weights only
 * while it denoises, and the autoencoder's only while it decodes, as stable-diffusion.cpp frees each model's
 * parameters once its phase is over — without having to read them again. Never used on anything but a file
 * mapping: on anonymous memory the same call would zero the data. Elsewhere than on Linux this does nothing.
 */
final class ResidentPages {
    private static final int MADV_DONTNEED = 4;
    private static final long PAGE = 4096;
    private static final C LIBC = load();

    private interface C extends Library {
        int madvise(Pointer address, long length, int advice);
    }

    private ResidentPages() {
    }

    /** @param mapped a buffer returned by {@code FileChannel.map}, read-only */
    static void release(ByteBuffer mapped) {
        if (LIBC == null || !mapped.isDirect() || mapped.capacity() == 0) {
            return;
        }
        long address = Pointer.nativeValue(Native.getDirectBufferPointer(mapped));
        // The mapping itself starts on a page boundary at or before the buffer, so rounding out stays inside it.
        long start = address / PAGE * PAGE;
        long end = (address + mapped.capacity() + PAGE - 1) / PAGE * PAGE;
        LIBC.madvise(new Pointer(start), end - start, MADV_DONTNEED);
    }

    private static C load() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            return null;
        }
        try {
            return Native.loadLibrary("c", C.class);
        } catch (Throwable e) {
            // No JNA or no libc by that name: pages stay resident until the kernel needs them, nothing else changes.
            return null;
        }
    }
}
