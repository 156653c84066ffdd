package diffusionj.train;

/**
 * The knobs of a training run. The learning rate warms up linearly (Adam's early moments are noisy) and then
 * follows a cosine down to a tenth of its peak at the last step.
 */
record TrainingSettings(long steps, int batch, int size, double peakLearningRate, long warmupSteps, double weightDecay,
                        double emaDecay, double captionDropout, double clipNorm, double offsetNoise, double lossWeightCap, long seed) {

    static TrainingSettings defaults(long steps, int batch, int size, long seed) {
        return new TrainingSettings(steps, batch, size, 5e-4, Math.min(200, Math.max(1, steps / 10)), 0.01, 0.999, 0.1, 1.0, 0.1, 1, seed);
    }

    /**
     * The weight of a sample's loss at noise level ᾱ, as the implied-x₀ error goes: SNR + 1 (the weighting the v
     * loss gives it), capped at {@link #lossWeightCap} as min-SNR-γ caps SNR (Hang et al., 2023); a cap of 1 weighs
     * all levels alike, as the plain clean-sample loss does. Why: with equal weights the nearly clean levels, whose
     * errors are small, hardly pull on the weights, and the model blurs there (x̂₀ error at t = 10 above that of
     * returning the input unchanged; see BENCHMARKS.md) — yet every picture's last step is taken there. The default
     * is 1: a cap of 5 learned colours sooner but ended no better at 2,500 steps than the shipped model at 3,500
     * (BENCHMARKS.md, 2026-11-29), so the shipped model's recipe stays.
     */
    double lossWeight(double alphaProd) {
        return Math.max(1, Math.min(lossWeightCap, alphaProd / (1 - alphaProd) + 1));
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
