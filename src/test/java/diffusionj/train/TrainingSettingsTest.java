package diffusionj.train;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The learning-rate schedule at the points that define it. */
class TrainingSettingsTest {
    private final TrainingSettings settings = TrainingSettings.defaults(1000, 32, 64, 1);

    @Test
    void theLearningRateWarmsUpThenFallsToATenthOfItsPeak() {
        assertEquals(settings.peakLearningRate() / settings.warmupSteps(), settings.learningRate(1), 1e-12);
        assertEquals(settings.peakLearningRate(), settings.learningRate(settings.warmupSteps()), 1e-12);
        assertEquals(settings.peakLearningRate() * 0.1, settings.learningRate(settings.steps()), 1e-12);
    }

    @Test
    void aContinuationKeepsTheScheduleShapeAtItsOwnPeak() {
        TrainingSettings low = settings.withLearningRate(1e-4, 50);
        assertEquals(1e-4 / 50, low.learningRate(1), 1e-15);
        assertEquals(1e-4, low.learningRate(50), 1e-15);
        assertEquals(1e-5, low.learningRate(low.steps()), 1e-15);
        assertEquals(settings.steps(), low.steps());
    }
}
