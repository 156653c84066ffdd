package diffusionj.sampling;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;

/**
 * Linear multistep (order 4): the next sample adds the last slopes weighted by the integrals, over
 * [σ_i, σ_{i+1}], of their Lagrange basis polynomials in σ. The integrands are polynomials of degree ≤ 3,
 * which 4-point Gauss–Legendre quadrature integrates exactly. "lms".
 */
final class LmsSampler extends SigmaSampler {
    private static final int ORDER = 4;
    private static final double[] GAUSS_NODES = {-0.8611363115940526, -0.3399810435848563, 0.3399810435848563, 0.8611363115940526};
    private static final double[] GAUSS_WEIGHTS = {0.3478548451374538, 0.6521451548625461, 0.6521451548625461, 0.3478548451374538};

    private final Deque<INDArray> derivatives = new ArrayDeque<>();

    LmsSampler(NoiseSchedule schedule, int steps) {
        this(schedule, sigmaSchedule(schedule, steps, false));
    }

    private LmsSampler(NoiseSchedule schedule, double[][] timestepsAndSigmas) {
        super(schedule, timestepsAndSigmas[0], timestepsAndSigmas[1]);
    }

    @Override
    public INDArray step(INDArray output, int i, INDArray sample, NoiseSource noise) {
        double sigma = sigmas[i];
        derivatives.addFirst(sample.sub(denoised(output, sample, sigma)).divi(sigma));
        if (derivatives.size() > ORDER) {
            derivatives.removeLast();
        }
        int order = derivatives.size(); // fewer at the start of a run, which may begin mid-schedule (image-to-image)
        INDArray next = sample.dup();
        Iterator<INDArray> newestFirst = derivatives.iterator();
        for (int k = 0; k < order; k++) {
            next.addi(newestFirst.next().mul(coefficient(order, i, k)));
        }
        return next;
    }

    /** ∫ over [σ_i, σ_{i+1}] of the Lagrange basis polynomial of node σ_{i−k} among σ_i … σ_{i−order+1}. */
    private double coefficient(int order, int i, int k) {
        double a = sigmas[i];
        double b = sigmas[i + 1];
        double sum = 0;
        for (int q = 0; q < GAUSS_NODES.length; q++) {
            double tau = (b - a) / 2 * GAUSS_NODES[q] + (a + b) / 2;
            double basis = 1;
            for (int j = 0; j < order; j++) {
                if (j != k) {
                    basis *= (tau - sigmas[i - j]) / (sigmas[i - k] - sigmas[i - j]);
                }
            }
            sum += GAUSS_WEIGHTS[q] * basis;
        }
        return sum * (b - a) / 2;
    }
}
