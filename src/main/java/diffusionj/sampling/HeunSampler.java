package diffusionj.sampling;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Heun's second-order method (Karras et al., 2022, Alg. 1): an Euler step to σ_next, a second UNet call
 * there, and the average of both slopes. Each σ but the first and last is visited twice, so N steps make
 * 2N − 1 UNet calls. "heun".
 */
final class HeunSampler extends SigmaSampler {
    private INDArray firstDerivative;
    private INDArray firstSample;
    private double dt;

    HeunSampler(NoiseSchedule schedule, int steps) {
        this(schedule, sigmaSchedule(schedule, steps, false));
    }

    private HeunSampler(NoiseSchedule schedule, double[][] timestepsAndSigmas) {
        super(schedule, interleave(timestepsAndSigmas[0], false), interleave(timestepsAndSigmas[1], true));
    }

    /** diffusers repeats every entry but the first (and, for σ, the final 0). */
    private static double[] interleave(double[] values, boolean keepLast) {
        int inner = keepLast ? values.length - 2 : values.length - 1;
        double[] out = new double[1 + 2 * inner + (keepLast ? 1 : 0)];
        out[0] = values[0];
        for (int i = 0; i < inner; i++) {
            out[1 + 2 * i] = values[1 + i];
            out[2 + 2 * i] = values[1 + i];
        }
        if (keepLast) {
            out[out.length - 1] = values[values.length - 1];
        }
        return out;
    }

    /** Step k begins with its first-order call, at index 2k. */
    @Override
    public int firstCall(int step) {
        return 2 * step;
    }

    @Override
    public INDArray step(INDArray output, int i, INDArray sample, NoiseSource noise) {
        if (firstDerivative == null) {
            double sigma = sigmas[i];
            firstDerivative = sample.sub(denoised(output, sample, sigma)).divi(sigma);
            dt = sigmas[i + 1] - sigma;
            firstSample = sample;
            return sample.add(firstDerivative.mul(dt));
        }
        double sigmaNext = sigmas[i];
        INDArray derivative = sample.sub(denoised(output, sample, sigmaNext)).divi(sigmaNext);
        INDArray mean = derivative.addi(firstDerivative).divi(2);
        INDArray next = firstSample.add(mean.muli(dt));
        firstDerivative = null;
        firstSample = null;
        return next;
    }
}
