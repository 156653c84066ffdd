package diffusionj.unet;

import diffusionj.nn.Activations;
import diffusionj.nn.GraphWeights;
import diffusionj.nn.Linear;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * SDXL's added conditioning ({@code addition_embed_type} "text_time"): each of the six sizes in {@code time_ids}
 * (original height and width, crop top and left, target height and width) in sinusoidal features as a timestep,
 * appended to the pooled text vector {@code text_embeds}, through {@code add_embedding.linear_1} → SiLU →
 * {@code linear_2}; the result is added to the timestep embedding.
 */
final class TextTimeEmbedding {
    private TextTimeEmbedding() {
    }

    /** @param textEmbeds [n, pooledDim]; @param timeIds [n, 6]; returns [n, 4·C0] */
    static SDVariable apply(GraphWeights w, UNetConfig config, SDVariable textEmbeds, SDVariable timeIds) {
        SameDiff sd = w.graph();
        UNetConfig.TextTime added = config.added();
        SDVariable sizes = TimestepEmbedding.sinusoid(sd, timeIds.reshape(-1), added.timeDim(), config)
                .reshape(-1, (long) UNetConfig.TextTime.SIZES * added.timeDim());
        SDVariable features = sd.concat(1, textEmbeds, sizes);
        SDVariable h = Linear.apply(w, "add_embedding.linear_1", features, added.inputDim(), config.timeEmbeddingDim());
        return Linear.apply(w, "add_embedding.linear_2", Activations.silu(sd, h), config.timeEmbeddingDim(), config.timeEmbeddingDim());
    }
}
