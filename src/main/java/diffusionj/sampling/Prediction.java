package diffusionj.sampling;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What the UNet predicts: the added noise ε (SD 1.x, SD 2.x-base), the velocity v (SD 2.x 768-v), or the clean
 * sample x₀ itself (diffusers' "sample").
 */
public enum Prediction {
    EPSILON, V_PREDICTION, SAMPLE;

    public static Prediction fromConfig(String name) {
        return switch (name) {
            case "epsilon" -> EPSILON;
            case "v_prediction" -> V_PREDICTION;
            case "sample" -> SAMPLE;
            default -> throw new IllegalArgumentException("prediction_type '" + name + "' is not supported (epsilon, v_prediction, sample)");
        };
    }

    /**
     * What training asks the UNet to output for x_t = √ᾱ·x₀ + √(1−ᾱ)·ε: ε itself, or v = √ᾱ·ε − √(1−ᾱ)·x₀.
     * In terms of the implied x₀ error the ε loss weighs each noise level by its SNR ᾱ/(1−ᾱ), the v loss by
     * SNR + 1, so v keeps the high-noise levels — where layout and the caption's objects are decided — in play;
     * x₀ itself weighs them all alike, and at low noise asks for a near copy of the input instead of the noise
     * amplified by 1/σ (see BENCHMARKS.md for what that changed in a small model's training).
     *
     * @param signal     √ᾱ per sample, broadcastable against x₀ ([b, 1, 1, 1])
     * @param noiseLevel √(1−ᾱ) per sample, likewise
     */
    public INDArray trainingTarget(INDArray x0, INDArray noise, INDArray signal, INDArray noiseLevel) {
        return switch (this) {
            case EPSILON -> noise;
            case V_PREDICTION -> noise.mul(signal).subi(x0.mul(noiseLevel));
            case SAMPLE -> x0;
        };
    }

    /** x₀ from the model output in the variance-preserving form x_t = √ᾱ·x₀ + √(1−ᾱ)·ε. */
    INDArray originalFromAlpha(INDArray output, INDArray sample, double alphaProd) {
        double a = Math.sqrt(alphaProd);
        double b = Math.sqrt(1 - alphaProd);
        return switch (this) {
            case EPSILON -> sample.sub(output.mul(b)).divi(a);
            case V_PREDICTION -> sample.mul(a).subi(output.mul(b));
            case SAMPLE -> output.dup();
        };
    }

    /** x₀ from the model output in the variance-exploding form x = x₀ + σ·ε used by the k-diffusion samplers. */
    INDArray originalFromSigma(INDArray output, INDArray sample, double sigma) {
        return switch (this) {
            case EPSILON -> sample.sub(output.mul(sigma));
            case V_PREDICTION -> output.mul(-sigma / Math.sqrt(sigma * sigma + 1)).addi(sample.div(sigma * sigma + 1));
            case SAMPLE -> output.dup();
        };
    }
}
