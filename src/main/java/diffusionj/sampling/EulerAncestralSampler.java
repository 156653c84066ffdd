package diffusionj.sampling;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Euler ancestral: an Euler step down to σ_down, then fresh noise of level σ_up, with
 * σ_up² = σ_next²(σ² − σ_next²)/σ² and σ_down² = σ_next² − σ_up². "euler_ancestral".
 */
final class EulerAncestralSampler extends SigmaSampler {
    EulerAncestralSampler(NoiseSchedule schedule, int steps) {
        this(schedule, sigmaSchedule(schedule, steps, false));
    }

    private EulerAncestralSampler(NoiseSchedule schedule, double[][] timestepsAndSigmas) {
        super(schedule, timestepsAndSigmas[0], timestepsAndSigmas[1]);
    }

    @Override
    public INDArray step(INDArray output, int i, INDArray sample, NoiseSource noise) {
        double from = sigmas[i];
        double to = sigmas[i + 1];
        double up = Math.sqrt(to * to * (from * from - to * to) / (from * from));
        double down = Math.sqrt(to * to - up * up);
        INDArray derivative = sample.sub(denoised(output, sample, from)).divi(from);
        INDArray next = sample.add(derivative.muli(down - from));
        return next.addi(noise.gaussian(sample.shape()).muli(up));
    }
}
