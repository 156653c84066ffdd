package diffusionj.sampling;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DPM-Solver++(2M) (Lu et al., 2022), data-prediction form with the midpoint second-order correction,
 * in λ = log(α/σ): x ← (σ_t/σ_s)·x − α_t(e^{−h} − 1)·(D₀ + ½D₁), D₁ from the previous x₀ estimate.
 * The first step and the last (to σ = 0) are first order. "dpmpp_2m" and "dpmpp_2m_karras".
 */
final class DpmSolverPlusPlus2MSampler extends SigmaTableSampler {
    private INDArray previousDenoised;

    DpmSolverPlusPlus2MSampler(NoiseSchedule schedule, int steps, boolean karras) {
        this(schedule, roundedLinspaceSchedule(schedule, steps, karras));
    }

    private DpmSolverPlusPlus2MSampler(NoiseSchedule schedule, double[][] timestepsAndSigmas) {
        super(schedule, timestepsAndSigmas[0], timestepsAndSigmas[1]);
    }

    private static double[][] roundedLinspaceSchedule(NoiseSchedule schedule, int steps, boolean karras) {
        double[] t = schedule.dpmSolverTimesteps(steps);
        double[] s = schedule.sigmasAt(t);
        if (karras) {
            s = NoiseSchedule.karrasSigmas(schedule.minSigma(), schedule.maxSigma(), steps);
            for (int i = 0; i < steps; i++) {
                t[i] = Math.round(schedule.sigmaToTimestep(s[i]));
            }
        }
        return new double[][]{t, NoiseSchedule.withFinalZero(s)};
    }

    /** The sample is variance-preserving: α(x₀ + σ·ε) with α = 1/√(σ² + 1). */
    @Override
    public INDArray noised(INDArray original, INDArray noise, int call) {
        double sigma = sigmas[Math.min(call, sigmas.length - 1)];
        return combine(original, 1, noise, sigma).muli(1 / Math.sqrt(sigma * sigma + 1));
    }

    @Override
    public INDArray step(INDArray output, int i, INDArray sample, NoiseSource noise) {
        double sigmaS = sigmas[i];
        double alphaS = 1 / Math.sqrt(sigmaS * sigmaS + 1);
        INDArray denoised = schedule.prediction().originalFromAlpha(output, sample, alphaS * alphaS);
        double sigmaT = sigmas[i + 1];
        double alphaT = 1 / Math.sqrt(sigmaT * sigmaT + 1);
        double h = lambda(alphaT, sigmaT * alphaT) - lambda(alphaS, sigmaS * alphaS);
        double ratio = sigmaT * alphaT / (sigmaS * alphaS);
        double gain = -alphaT * (Math.exp(-h) - 1);
        INDArray d = denoised;
        boolean lastStep = i == timesteps.length - 1;
        if (previousDenoised != null && !lastStep) {
            double sigmaP = sigmas[i - 1];
            double alphaP = 1 / Math.sqrt(sigmaP * sigmaP + 1);
            double r = (lambda(alphaS, sigmaS * alphaS) - lambda(alphaP, sigmaP * alphaP)) / h;
            d = denoised.add(denoised.sub(previousDenoised).muli(0.5 / r));
        }
        previousDenoised = denoised;
        return combine(sample, ratio, d, gain);
    }

    private static double lambda(double alpha, double sigma) {
        return Math.log(alpha) - Math.log(sigma);
    }
}
