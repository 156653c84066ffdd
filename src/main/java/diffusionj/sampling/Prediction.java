package diffusionj.sampling;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * What the UNet predicts: the added noise ε (SD 1.x, SD 2.x-base), the velocity v (SD 2.x 768-v), the clean
 * sample x₀ itself (diffusers' "sample"), or the preconditioned output F of Karras et al. (2022, "EDM") from which
 * x̂₀ = c_skip·x + c_out·F, whose blend depends on the data's assumed spread σ_data.
 */
public final class Prediction {
    private enum Kind { EPSILON, V_PREDICTION, SAMPLE, EDM }

    public static final Prediction EPSILON = new Prediction(Kind.EPSILON, "epsilon", 0);
    public static final Prediction V_PREDICTION = new Prediction(Kind.V_PREDICTION, "v_prediction", 0);
    public static final Prediction SAMPLE = new Prediction(Kind.SAMPLE, "sample", 0);

    /** EDM's own σ_data for images in [−1, 1]; v-prediction is the same preconditioning with σ_data = 1. */
    public static final double EDM_SIGMA_DATA = 0.5;

    private final Kind kind;
    private final String configName;
    private final double sigmaData;

    private Prediction(Kind kind, String configName, double sigmaData) {
        this.kind = kind;
        this.configName = configName;
        this.sigmaData = sigmaData;
    }

    /**
     * EDM's preconditioning for data of spread σ_data. Below σ = σ_data the input passes through (c_skip ≥ ½),
     * above it the output is mostly x̂₀ itself: a smaller σ_data moves that crossover to lower noise.
     */
    public static Prediction edm(double sigmaData) {
        if (!(sigmaData > 0 && sigmaData <= 10)) {
            throw new IllegalArgumentException("sigma_data " + sigmaData + " is outside (0, 10]");
        }
        return new Prediction(Kind.EDM, "edm", sigmaData);
    }

    /** The {@code prediction_type} of a scheduler config that names this prediction. */
    public String configName() {
        return configName;
    }

    /** @param sigmaData the config's {@code sigma_data}, read by "edm" only */
    public static Prediction fromConfig(String name, double sigmaData) {
        return switch (name) {
            case "epsilon" -> EPSILON;
            case "v_prediction" -> V_PREDICTION;
            case "sample" -> SAMPLE;
            case "edm" -> edm(sigmaData);
            default -> throw new IllegalArgumentException("prediction_type '" + name + "' is not supported (epsilon, v_prediction, sample, edm)");
        };
    }

    /**
     * What training asks the UNet to output for x_t = √ᾱ·x₀ + √(1−ᾱ)·ε: ε itself, v = √ᾱ·ε − √(1−ᾱ)·x₀, x₀, or
     * EDM's F. In terms of the implied x₀ error the ε loss weighs each noise level by its SNR ᾱ/(1−ᾱ), the v loss by
     * SNR + 1, so v keeps the high-noise levels — where layout and the caption's objects are decided — in play;
     * x₀ itself weighs them all alike, and at low noise asks for a near copy of the input instead of the noise
     * amplified by 1/σ. EDM's F has unit variance at every level: at high noise it is x₀/σ_data, at low noise the
     * input passes through c_skip ≈ 1 and F only names the noise (see BENCHMARKS.md for what each changed in a small
     * model's training).
     *
     * @param signal     √ᾱ per sample, broadcastable against x₀ ([b, 1, 1, 1])
     * @param noiseLevel √(1−ᾱ) per sample, likewise
     */
    public INDArray trainingTarget(INDArray x0, INDArray noise, INDArray signal, INDArray noiseLevel) {
        return switch (kind) {
            case EPSILON -> noise;
            case V_PREDICTION -> noise.mul(signal).subi(x0.mul(noiseLevel));
            case SAMPLE -> x0;
            // F = (x₀ − c_skip·x/√ᾱ)/c_out = (√(1−ᾱ)·x₀ − σ_d²·√ᾱ·ε) / (σ_d·√(1−ᾱ + σ_d²·ᾱ))
            case EDM -> x0.mul(noiseLevel).subi(noise.mul(signal).muli(sigmaData * sigmaData))
                    .divi(edmNorm(signal, noiseLevel).muli(sigmaData));
        };
    }

    /** √(σ² + σ_d²·α²) per sample, EDM's √(s² + σ_d²) in the variance-preserving form (s = σ/α). */
    private INDArray edmNorm(INDArray signal, INDArray noiseLevel) {
        return Transforms.sqrt(noiseLevel.mul(noiseLevel).addi(signal.mul(signal).muli(sigmaData * sigmaData)), false);
    }

    /** x₀ from the model output in the variance-preserving form x_t = √ᾱ·x₀ + √(1−ᾱ)·ε. */
    public INDArray originalFromAlpha(INDArray output, INDArray sample, double alphaProd) {
        double a = Math.sqrt(alphaProd);
        double b = Math.sqrt(1 - alphaProd);
        return switch (kind) {
            case EPSILON -> sample.sub(output.mul(b)).divi(a);
            case V_PREDICTION -> sample.mul(a).subi(output.mul(b));
            case SAMPLE -> output.dup();
            case EDM -> preconditioned(output, sample, a, b);
        };
    }

    /** x₀ from the model output in the variance-exploding form x = x₀ + σ·ε used by the k-diffusion samplers. */
    INDArray originalFromSigma(INDArray output, INDArray sample, double sigma) {
        return switch (kind) {
            case EPSILON -> sample.sub(output.mul(sigma));
            case V_PREDICTION -> output.mul(-sigma / Math.sqrt(sigma * sigma + 1)).addi(sample.div(sigma * sigma + 1));
            case SAMPLE -> output.dup();
            case EDM -> preconditioned(output, sample, 1, sigma);
        };
    }

    /**
     * EDM's x̂₀ = c_skip·x + c_out·F for x = a·x₀ + b·ε: c_skip = σ_d²·a/(b² + σ_d²·a²), c_out = b·σ_d/√(b² + σ_d²·a²)
     * (a = 1, b = σ in the variance-exploding form).
     */
    private INDArray preconditioned(INDArray output, INDArray sample, double a, double b) {
        double d2 = sigmaData * sigmaData;
        double norm2 = b * b + d2 * a * a;
        return sample.mul(d2 * a / norm2).addi(output.mul(b * sigmaData / Math.sqrt(norm2)));
    }
}
