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
 * prediction_type "edm": the UNet outputs Karras et al.'s preconditioned F. Its training target must give back
 * x₀ through both forms of x̂₀, have unit variance at every noise level for data of the configured σ_data, and
 * step every sampler as the ε it stands for.
 */
class EdmPredictionTest {
    private static final Prediction EDM = Prediction.edm(Prediction.EDM_SIGMA_DATA);

    private static NoiseSchedule schedule(String prediction) {
        return NoiseSchedule.fromConfig(StableDiffusionSchedule.config(prediction));
    }

    private static INDArray perSample(double... values) {
        return Nd4j.createFromArray(values).castTo(DataType.FLOAT).reshape(values.length, 1, 1, 1);
    }

    @Test
    void targetGivesBackTheCleanSampleInBothForms() {
        Nd4j.getRandom().setSeed(5);
        for (double alphaProd : new double[]{0.9999, 0.9, 0.3, 0.001}) {
            double a = Math.sqrt(alphaProd), b = Math.sqrt(1 - alphaProd);
            INDArray x0 = Nd4j.rand(DataType.FLOAT, 1, 3, 4, 4).subi(0.5).muli(2);
            INDArray noise = Nd4j.randn(DataType.FLOAT, 1, 3, 4, 4);
            INDArray xt = x0.mul(a).addi(noise.mul(b));
            INDArray f = EDM.trainingTarget(x0, noise, perSample(a), perSample(b));
            assertTrue(x0.equalsWithEps(EDM.originalFromAlpha(f, xt, alphaProd), 1e-4), "ᾱ = " + alphaProd);
            assertTrue(x0.equalsWithEps(EDM.originalFromSigma(f, xt.div(a), b / a), 1e-3), "σ = " + b / a);
        }
    }

    @Test
    void targetHasUnitVarianceAtEveryNoiseLevelForDataOfSpreadSigmaData() {
        Nd4j.getRandom().setSeed(6);
        INDArray a = perSample(0.9999, 0.99, 0.7, 0.2, 0.01);
        INDArray b = perSample(0.01414, 0.14107, 0.71414, 0.97980, 0.99995);
        for (double sigmaData : new double[]{Prediction.EDM_SIGMA_DATA, 0.2}) {
            INDArray x0 = Nd4j.randn(DataType.FLOAT, 5, 3, 64, 64).muli(sigmaData);
            INDArray noise = Nd4j.randn(DataType.FLOAT, 5, 3, 64, 64);
            INDArray f = Prediction.edm(sigmaData).trainingTarget(x0, noise, a, b);
            for (int i = 0; i < 5; i++) {
                assertEquals(1.0, f.slice(i).stdNumber().doubleValue(), 0.03, "σ_data " + sigmaData + ", level " + i);
            }
        }
    }

    @Test
    void theConfigsSigmaDataIsTheOneUsed() {
        var config = StableDiffusionSchedule.config("edm");
        config.addProperty("sigma_data", 0.2);
        NoiseSchedule schedule = NoiseSchedule.fromConfig(config);
        INDArray sample = Nd4j.randn(DataType.FLOAT, 1, 3, 4, 4);
        INDArray output = Nd4j.randn(DataType.FLOAT, 1, 3, 4, 4);
        assertEquals(Prediction.edm(0.2).originalFromAlpha(output, sample, 0.5), schedule.prediction().originalFromAlpha(output, sample, 0.5));
        assertTrue(!EDM.originalFromAlpha(output, sample, 0.5).equalsWithEps(schedule.prediction().originalFromAlpha(output, sample, 0.5), 1e-3));
        config.addProperty("sigma_data", -1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NoiseSchedule.fromConfig(config));
        assertTrue(e.getMessage().contains("sigma_data -1"), e.getMessage());
    }

    @Test
    void lowNoisePassesTheInputThrough() {
        INDArray sample = Nd4j.randn(DataType.FLOAT, 1, 3, 4, 4);
        INDArray x0 = EDM.originalFromSigma(Nd4j.zeros(DataType.FLOAT, 1, 3, 4, 4), sample, 0.01);
        assertTrue(sample.equalsWithEps(x0, 1e-3));
    }

    @Test
    void samplersStepAsFromTheEquivalentNoise() {
        for (String name : new String[]{"ddim", "ddpm", "lcm", "euler"}) {
            Sampler fromEps = Samplers.create(name, schedule("epsilon"), 10);
            Sampler fromF = Samplers.create(name, schedule("edm"), 10);
            double[] sigmas = fromEps.sigmaSchedule();
            // The k-diffusion samplers hold x_t/√ᾱ; a sample of either form and one ε name the same x₀.
            double alphaProd = sigmas == null ? schedule("epsilon").alphaCumprod((int) fromEps.timesteps()[0])
                    : 1 / (sigmas[0] * sigmas[0] + 1);
            double a = Math.sqrt(alphaProd), b = Math.sqrt(1 - alphaProd);
            Nd4j.getRandom().setSeed(3);
            INDArray sample = Nd4j.randn(DataType.FLOAT, 1, 4, 3, 3).muli(fromEps.initNoiseSigma());
            INDArray eps = Nd4j.randn(DataType.FLOAT, 1, 4, 3, 3);
            INDArray x0 = sigmas == null ? Prediction.EPSILON.originalFromAlpha(eps, sample, alphaProd)
                    : Prediction.EPSILON.originalFromSigma(eps, sample, sigmas[0]);
            INDArray f = EDM.trainingTarget(x0, eps, perSample(a), perSample(b));
            INDArray expected = fromEps.step(eps, 0, sample, new SeededNoise(7));
            INDArray actual = fromF.step(f, 0, sample, new SeededNoise(7));
            assertTrue(expected.equalsWithEps(actual, 1e-3), name + ": " + expected + " vs " + actual);
        }
    }

    @Test
    void pndmRefusesEdmModelsByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Samplers.create("pndm", schedule("edm"), 10));
        assertTrue(e.getMessage().contains("pndm") && e.getMessage().contains("'edm'"), e.getMessage());
    }
}
