package diffusionj.pipeline;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The figures bench and the Model Manager report, read from Linux's /proc. */
class ResidentMemoryTest {

    @Test
    void touchingFreshMemoryRaisesResidentSizeAndPageFaults() {
        long faults = ResidentMemory.minorPageFaults();
        ResidentMemory.resetPeak();
        double before = ResidentMemory.currentGiB();
        ByteBuffer fresh = ByteBuffer.allocateDirect(64 << 20);
        for (int i = 0; i < fresh.capacity(); i += 4096) {
            fresh.put(i, (byte) 1);
        }
        long touched = ResidentMemory.minorPageFaults() - faults;
        // One fault per 4 KiB page, or per 2 MiB where the system backs memory with huge pages.
        assertTrue(touched >= 32 / 2, "64 MiB touched, faults counted: " + touched);
        assertTrue(ResidentMemory.peakGiB() >= before + 0.05, "peak " + ResidentMemory.peakGiB() + " after " + before);
        assertTrue(fresh.get(4096) == 1);
    }
}
