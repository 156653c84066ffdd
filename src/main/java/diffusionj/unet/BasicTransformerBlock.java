package diffusionj.unet;

import diffusionj.nn.GraphWeights;
import diffusionj.nn.LayerNorm;
import org.nd4j.autodiff.samediff.SDVariable;

/** Pre-norm block on pixel rows: self-attention, cross-attention over the text, GEGLU feed-forward, each residual. */
final class BasicTransformerBlock {
    private static final double LAYER_NORM_EPS = 1e-5;

    private BasicTransformerBlock() {
    }

    static SDVariable apply(GraphWeights w, String prefix, SDVariable h, long pixels, long dim, SDVariable context,
                            long keys, long contextDim, long heads) {
        SDVariable n = LayerNorm.apply(w, prefix + ".norm1", h, dim, LAYER_NORM_EPS);
        h = h.add(CrossAttention.apply(w, prefix + ".attn1", n, pixels, dim, null, 0, 0, heads));
        n = LayerNorm.apply(w, prefix + ".norm2", h, dim, LAYER_NORM_EPS);
        h = h.add(CrossAttention.apply(w, prefix + ".attn2", n, pixels, dim, context, keys, contextDim, heads));
        n = LayerNorm.apply(w, prefix + ".norm3", h, dim, LAYER_NORM_EPS);
        return h.add(GegluFeedForward.apply(w, prefix + ".ff", n, dim));
    }
}
