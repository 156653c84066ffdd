package diffusionj.sampling;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DDPM ancestral sampling (Ho et al., 2020) on a strided schedule: the posterior mean of x_prev given x̂₀
 * and x_t, plus noise with the "fixed small" posterior variance. "ddpm".
 */
final class DdpmSampler extends StridedSampler {
    DdpmSampler(NoiseSchedule schedule, int steps) {
        super(schedule, steps);
    }

    @Override
    public INDArray step(INDArray output, int i, INDArray sample, NoiseSource noise) {
        int t = (int) timesteps[i];
        int prev = t - stride;
        double alpha = schedule.alphaCumprod(t);
        double alphaPrev = prev >= 0 ? schedule.alphaCumprod(prev) : 1.0;
        double beta = 1 - alpha;
        double betaPrev = 1 - alphaPrev;
        double currentAlpha = alpha / alphaPrev;
        double currentBeta = 1 - currentAlpha;
        INDArray x0 = schedule.predictedOriginal(output, sample, alpha);
        INDArray mean = combine(x0, Math.sqrt(alphaPrev) * currentBeta / beta, sample, Math.sqrt(currentAlpha) * betaPrev / beta);
        if (t > 0) {
            double variance = Math.max(betaPrev / beta * currentBeta, 1e-20);
            mean.addi(noise.gaussian(sample.shape()).muli(Math.sqrt(variance)));
        }
        return mean;
    }
}
