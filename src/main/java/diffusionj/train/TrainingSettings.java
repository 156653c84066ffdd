package diffusionj.train;

/**
 * The knobs of a training run. The learning rate warms up linearly (Adam's early moments are noisy) and then
 * follows a cosine down to a tenth of its peak at the last step.
 */
public record TrainingSettings(long steps, int batch, int size, double peakLearningRate, long warmupSteps, double weightDecay,
                        double emaDecay, double captionDropout, double clipNorm, double offsetNoise, long seed) {

    public static TrainingSettings defaults(long steps, int batch, int size, long seed) {
        return new TrainingSettings(steps, batch, size, 5e-4, Math.min(200, Math.max(1, steps / 10)), 0.01, 0.999, 0.1, 1.0, 0.1, seed);
    }

    /**
     * Another peak and warm-up. A run continued from trained weights ({@code --init-from}) needs a lower peak than
     * one from random weights: the recipe's 5·10⁻⁴ undid what the shipped model had learned of colour and shape
     * (BENCHMARKS.md, issue 21's learning curve).
     */
    public TrainingSettings withLearningRate(double peak, long warmup) {
        return new TrainingSettings(steps, batch, size, peak, warmup, weightDecay, emaDecay, captionDropout, clipNorm, offsetNoise, seed);
    }

    /** @param step counted from 1 */
    double learningRate(long step) {
        if (step <= warmupSteps) {
            return peakLearningRate * step / warmupSteps;
        }
        double progress = Math.min(1, (double) (step - warmupSteps) / Math.max(1, steps - warmupSteps));
        return peakLearningRate * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }
}
