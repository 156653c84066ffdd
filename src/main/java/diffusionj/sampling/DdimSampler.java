package diffusionj.sampling;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DDIM (Song et al., 2021) with η = 0, deterministic: x_prev = √ᾱ_prev·x̂₀ + √(1 − ᾱ_prev)·ε̂. "ddim".
 */
public final class DdimSampler extends StridedSampler {
    DdimSampler(NoiseSchedule schedule, int steps) {
        super(schedule, steps);
    }

    @Override
    public INDArray step(INDArray output, int i, INDArray sample, NoiseSource noise) {
        int t = (int) timesteps[i];
        return update(schedule, output, sample, schedule.alphaCumprod(t), schedule.alphaCumprodBefore(t - stride));
    }

    /**
     * The update from a sample at ᾱ to the one at ᾱ_prev, given the model's output there; also word maps' few
     * steps from a noised image, which do not follow a sampler's timesteps.
     */
    public static INDArray update(NoiseSchedule schedule, INDArray output, INDArray sample, double alpha, double alphaPrev) {
        INDArray x0 = schedule.prediction().originalFromAlpha(output, sample, alpha);
        // ε̂ comes from the unclipped x̂₀ (diffusers' pipelines step with use_clipped_model_output = False),
        // so it is taken before x̂₀ is clipped in place.
        INDArray eps = combine(sample, 1 / Math.sqrt(1 - alpha), x0, -Math.sqrt(alpha) / Math.sqrt(1 - alpha));
        schedule.clipped(x0);
        return combine(x0, Math.sqrt(alphaPrev), eps, Math.sqrt(1 - alphaPrev));
    }
}
