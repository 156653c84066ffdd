package diffusionj.sampling;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Latent consistency sampling (Luo et al., 2023): each step maps x_t to a consistency estimate
 * c_skip·x_t + c_out·x̂₀ and re-noises it to the next timestep, chosen from a 50-step skipping
 * schedule. Meant for LCM-distilled models with guidance ≈ 1. "lcm".
 */
final class LcmSampler extends Sampler {
    private static final int ORIGINAL_STEPS = 50;
    private static final double TIMESTEP_SCALING = 10;
    private static final double SIGMA_DATA = 0.5;

    private final double[] timesteps;

    LcmSampler(NoiseSchedule schedule, int steps) {
        super(schedule);
        int k = schedule.trainTimesteps() / ORIGINAL_STEPS;
        if (ORIGINAL_STEPS / steps < 1) {
            throw new IllegalArgumentException("lcm takes at most " + ORIGINAL_STEPS + " steps, got " + steps);
        }
        this.timesteps = new double[steps];
        for (int i = 0; i < steps; i++) {
            int index = (int) Math.floor((double) i * ORIGINAL_STEPS / steps);
            timesteps[i] = (double) (ORIGINAL_STEPS - index) * k - 1;
        }
    }

    @Override
    public double[] timesteps() {
        return timesteps;
    }

    @Override
    public INDArray step(INDArray output, int i, INDArray sample, NoiseSource noise) {
        int t = (int) timesteps[i];
        double alpha = schedule.alphaCumprod(t);
        double scaled = t * TIMESTEP_SCALING;
        double cSkip = SIGMA_DATA * SIGMA_DATA / (scaled * scaled + SIGMA_DATA * SIGMA_DATA);
        double cOut = scaled / Math.sqrt(scaled * scaled + SIGMA_DATA * SIGMA_DATA);
        INDArray x0 = schedule.predictedOriginal(output, sample, alpha);
        INDArray denoised = combine(x0, cOut, sample, cSkip);
        if (i == timesteps.length - 1) {
            return denoised;
        }
        double alphaPrev = schedule.alphaCumprod((int) timesteps[i + 1]);
        return combine(denoised, Math.sqrt(alphaPrev), noise.gaussian(sample.shape()), Math.sqrt(1 - alphaPrev));
    }
}
