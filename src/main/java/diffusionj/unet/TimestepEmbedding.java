package diffusionj.unet;

import diffusionj.nn.Activations;
import diffusionj.nn.GraphWeights;
import diffusionj.nn.Linear;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Timestep t → sinusoidal features (DDPM's positional encoding, frequencies exp(−ln(10⁴)·i/(half − shift)),
 * cos before sin when {@code flip_sin_to_cos}) → {@code time_embedding.linear_1} → SiLU → {@code linear_2}.
 */
final class TimestepEmbedding {
    private TimestepEmbedding() {
    }

    /** @param timestep [n] float; returns [n, 4·C0] */
    static SDVariable apply(GraphWeights w, UNetConfig config, SDVariable timestep) {
        SameDiff sd = w.graph();
        int dim = config.blockOutChannels()[0];
        SDVariable features = sinusoid(sd, timestep, dim, config);
        SDVariable h = Linear.apply(w, "time_embedding.linear_1", features, dim, config.timeEmbeddingDim());
        return Linear.apply(w, "time_embedding.linear_2", Activations.silu(sd, h), config.timeEmbeddingDim(), config.timeEmbeddingDim());
    }

    /** The sinusoidal features of each value of {@code values} [n]: [n, dim]. */
    static SDVariable sinusoid(SameDiff sd, SDVariable values, int dim, UNetConfig config) {
        int half = dim / 2;
        float[] freqs = new float[half];
        for (int i = 0; i < half; i++) {
            freqs[i] = (float) Math.exp(-Math.log(10000) * i / (half - config.freqShift()));
        }
        SDVariable angles = values.reshape(-1, 1).mul(sd.constant(Nd4j.createFromArray(freqs).reshape(1, half)));
        SDVariable sin = sd.math.sin(angles);
        SDVariable cos = sd.math.cos(angles);
        return config.flipSinToCos() ? sd.concat(1, cos, sin) : sd.concat(1, sin, cos);
    }
}
