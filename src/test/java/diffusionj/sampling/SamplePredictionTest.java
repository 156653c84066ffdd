package diffusionj.sampling;

import diffusionj.io.StableDiffusionSchedule;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * prediction_type "sample": the UNet outputs x₀ itself. A sampler fed the x₀ that an ε output implies must take
 * exactly the step it takes from that ε.
 */
class SamplePredictionTest {
    private static NoiseSchedule schedule(String prediction) {
        return NoiseSchedule.fromConfig(StableDiffusionSchedule.config(prediction));
    }

    @Test
    void trainingTargetIsTheCleanSample() {
        INDArray x0 = Nd4j.rand(DataType.FLOAT, 2, 3, 4, 4);
        INDArray noise = Nd4j.randn(DataType.FLOAT, 2, 3, 4, 4);
        INDArray level = Nd4j.createFromArray(0.3f, 0.8f).reshape(2, 1, 1, 1);
        assertEquals(x0, schedule("sample").prediction().trainingTarget(x0, noise, level, level));
    }

    @Test
    void alphaFormSamplersStepAsFromTheEquivalentNoise() {
        for (String name : new String[]{"ddim", "ddpm", "lcm"}) {
            Sampler fromEps = Samplers.create(name, schedule("epsilon"), 10);
            Sampler fromX0 = Samplers.create(name, schedule("sample"), 10);
            int t = (int) fromEps.timesteps()[0];
            double a = schedule("epsilon").alphaCumprod(t);
            Nd4j.getRandom().setSeed(3);
            INDArray sample = Nd4j.randn(DataType.FLOAT, 1, 4, 3, 3);
            INDArray eps = Nd4j.randn(DataType.FLOAT, 1, 4, 3, 3);
            INDArray x0 = Prediction.EPSILON.originalFromAlpha(eps, sample, a);
            INDArray expected = fromEps.step(eps, 0, sample, new SeededNoise(7));
            INDArray actual = fromX0.step(x0, 0, sample, new SeededNoise(7));
            assertTrue(expected.equalsWithEps(actual, 1e-4), name + ": " + expected + " vs " + actual);
        }
    }

    @Test
    void eulerStepsAsFromTheEquivalentNoise() {
        Sampler fromEps = Samplers.create("euler", schedule("epsilon"), 10);
        Sampler fromX0 = Samplers.create("euler", schedule("sample"), 10);
        Nd4j.getRandom().setSeed(4);
        INDArray sample = Nd4j.randn(DataType.FLOAT, 1, 4, 3, 3).muli(fromEps.initNoiseSigma());
        INDArray eps = Nd4j.randn(DataType.FLOAT, 1, 4, 3, 3);
        double sigma = fromEps.sigmaSchedule()[0];
        INDArray x0 = Prediction.EPSILON.originalFromSigma(eps, sample, sigma);
        assertTrue(fromEps.step(eps, 0, sample, null).equalsWithEps(fromX0.step(x0, 0, sample, null), 1e-4));
    }

    @Test
    void pndmRefusesSampleModelsByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Samplers.create("pndm", schedule("sample"), 10));
        assertTrue(e.getMessage().contains("pndm") && e.getMessage().contains("'sample'"), e.getMessage());
    }
}
