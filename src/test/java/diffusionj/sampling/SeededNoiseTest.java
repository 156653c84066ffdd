package diffusionj.sampling;

import diffusionj.Fixtures;
import diffusionj.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import static diffusionj.Parity.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class SeededNoiseTest {

    @Test
    void reproducesTorchRandnOnTheCpuGenerator() {
        // The scheduler fixtures drew their initial noise with torch.manual_seed(10); torch.randn(1, 4, 8, 8).
        try (Safetensors g = Safetensors.open(Fixtures.path("sd1-tiny", "golden/scheduler_ddim_10.safetensors"))) {
            assertClose(g.load("initial_noise"), new SeededNoise(10).gaussian(1, 4, 8, 8), 1e-6, "torch.randn seed 10");
        }
    }

    @Test
    void knownFirstValuesOfSeedZero() {
        // torch.manual_seed(0); torch.randn(16)[:4]
        float[] first = new SeededNoise(0).gaussian(16).toFloatVector();
        assertArrayEquals(new float[]{-1.1258398f, -1.1523602f, -0.25057858f, -0.43387884f}, java.util.Arrays.copyOf(first, 4), 1e-6f);
    }

    @Test
    void sameSeedSameNoiseAndTheStreamMovesOn() {
        SeededNoise a = new SeededNoise(1234);
        SeededNoise b = new SeededNoise(1234);
        INDArray first = a.gaussian(2, 3, 5);
        assertEquals(first, b.gaussian(2, 3, 5));
        assertNotEquals(first, a.gaussian(2, 3, 5));
        INDArray many = new SeededNoise(7).gaussian(4, 64, 64);
        assertEquals(0, many.meanNumber().doubleValue(), 0.02);
        assertEquals(1, many.stdNumber().doubleValue(), 0.02);
    }
}
