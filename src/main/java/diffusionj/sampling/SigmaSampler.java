package diffusionj.sampling;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The k-diffusion family (Karras et al., 2022) in diffusers' form: the sample lives at noise level σ
 * (x = x₀ + σ·ε), the UNet sees it scaled by 1/√(σ² + 1), and σ runs down a schedule ending at 0.
 */
abstract class SigmaSampler extends SigmaTableSampler {
    /** @param sigmas one per timestep, followed by the final 0 */
    SigmaSampler(NoiseSchedule schedule, double[] timesteps, double[] sigmas) {
        super(schedule, timesteps, sigmas);
    }

    /** The schedule of diffusers' Euler, Heun and LMS schedulers ({@link NoiseSchedule#sigmaSamplerTimesteps}), optionally Karras-spaced. */
    static double[][] sigmaSchedule(NoiseSchedule schedule, int steps, boolean karras) {
        double[] t = schedule.sigmaSamplerTimesteps(steps);
        double[] s = schedule.sigmasAt(t);
        if (karras) {
            s = NoiseSchedule.karrasSigmas(s[s.length - 1], s[0], steps);
            for (int i = 0; i < steps; i++) {
                t[i] = schedule.sigmaToTimestep(s[i]);
            }
        }
        return new double[][]{t, NoiseSchedule.withFinalZero(s)};
    }

    /**
     * The largest σ of the run: diffusers starts from pure noise at σ_max, or, with "leading" spacing (whose first
     * timestep is not the noisiest), at √(σ_max² + 1).
     */
    @Override
    public double initNoiseSigma() {
        double max = 0;
        for (double s : sigmas) {
            max = Math.max(max, s);
        }
        return schedule.startsAtMaxSigma() ? max : Math.sqrt(max * max + 1);
    }

    /** x₀ + σ·ε; the σ after the last call is 0. */
    @Override
    public INDArray noised(INDArray original, INDArray noise, int call) {
        return original.add(noise.mul(sigmas[Math.min(call, sigmas.length - 1)]));
    }

    @Override
    public INDArray scaleModelInput(INDArray sample, int index) {
        return sample.div(Math.sqrt(sigmas[index] * sigmas[index] + 1));
    }

    protected INDArray denoised(INDArray output, INDArray sample, double sigma) {
        return schedule.prediction().originalFromSigma(output, sample, sigma);
    }
}
