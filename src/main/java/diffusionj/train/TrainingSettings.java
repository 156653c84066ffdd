package diffusionj.train;

/**
 * The knobs of a training run. The learning rate warms up linearly (Adam's early moments are noisy) and then
 * follows a cosine down to a tenth of its peak at the last step.
 */
record TrainingSettings(long steps, int batch, int size, double peakLearningRate, long warmupSteps, double weightDecay,
                        double emaDecay, double captionDropout, double clipNorm, double offsetNoise, long seed) {

    static TrainingSettings defaults(long steps, int batch, int size, long seed) {
        return new TrainingSettings(steps, batch, size, 5e-4, Math.min(200, Math.max(1, steps / 10)), 0.01, 0.999, 0.1, 1.0, 0.1, seed);
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
