package diffusionj.sampling;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Euler's method on the probability-flow ODE: x ← x + (x − x₀)/σ · (σ_next − σ). "euler" and "euler_karras". */
final class EulerSampler extends SigmaSampler {
    EulerSampler(NoiseSchedule schedule, int steps, boolean karras) {
        this(schedule, sigmaSchedule(schedule, steps, karras));
    }

    private EulerSampler(NoiseSchedule schedule, double[][] timestepsAndSigmas) {
        super(schedule, timestepsAndSigmas[0], timestepsAndSigmas[1]);
    }

    @Override
    public INDArray step(INDArray output, int i, INDArray sample, NoiseSource noise) {
        double sigma = sigmas[i];
        INDArray derivative = sample.sub(denoised(output, sample, sigma)).divi(sigma);
        return sample.add(derivative.muli(sigmas[i + 1] - sigma));
    }
}
