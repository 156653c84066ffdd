package diffusionj.train;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The learning-rate schedule and the per-noise-level loss weight, at the points that define them. */
class TrainingSettingsTest {
    private final TrainingSettings settings = TrainingSettings.defaults(1000, 32, 64, 1);

    @Test
    void theLearningRateWarmsUpThenFallsToATenthOfItsPeak() {
        assertEquals(settings.peakLearningRate() / settings.warmupSteps(), settings.learningRate(1), 1e-12);
        assertEquals(settings.peakLearningRate(), settings.learningRate(settings.warmupSteps()), 1e-12);
        assertEquals(settings.peakLearningRate() * 0.1, settings.learningRate(settings.steps()), 1e-12);
    }

    @Test
    void theLossWeightIsSnrPlusOneBetweenOneAndTheCapAndUniformByDefault() {
        TrainingSettings capped = new TrainingSettings(10, 1, 16, 1e-3, 1, 0, 0.9, 0, 1, 0, 5, 0);
        assertEquals(1, capped.lossWeight(1e-6), 1e-5, "pure noise: the plain clean-sample loss");
        assertEquals(2, capped.lossWeight(0.5), 1e-12, "SNR 1");
        assertEquals(4, capped.lossWeight(0.75), 1e-12, "SNR 3");
        assertEquals(5, capped.lossWeight(0.99), 1e-12, "SNR 99, capped");
        TrainingSettings uniform = settings;
        for (double alphaProd : new double[]{1e-6, 0.5, 0.99}) {
            assertEquals(1, uniform.lossWeight(alphaProd), 1e-12);
        }
    }
}
