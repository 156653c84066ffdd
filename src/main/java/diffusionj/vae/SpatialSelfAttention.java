package diffusionj.vae;

import diffusionj.nn.GraphWeights;
import diffusionj.nn.GroupNorm;
import diffusionj.nn.Linear;
import diffusionj.nn.MultiHeadAttention;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * The autoencoder's mid-block attention: one head over all pixels, group norm first, biased q/k/v and
 * {@code to_out.0}, added to the input.
 */
final class SpatialSelfAttention {
    private static final double NORM_EPS = 1e-6;

    private SpatialSelfAttention() {
    }

    static SDVariable apply(GraphWeights w, String prefix, SDVariable x, long channels, long height, long width, long groups) {
        w.orderAfter(x);
        long pixels = height * width;
        SDVariable h = GroupNorm.apply(w, prefix + ".group_norm", x, channels, height, width, groups, NORM_EPS);
        SDVariable rows = h.reshape(-1, channels);
        SDVariable q = MultiHeadAttention.splitHeads(Linear.apply(w, prefix + ".to_q", rows, channels, channels), pixels, 1, channels);
        SDVariable k = MultiHeadAttention.splitHeads(Linear.apply(w, prefix + ".to_k", rows, channels, channels), pixels, 1, channels);
        SDVariable v = MultiHeadAttention.splitHeads(Linear.apply(w, prefix + ".to_v", rows, channels, channels), pixels, 1, channels);
        SDVariable attended = MultiHeadAttention.attend(w.graph(), q, k, v, 1.0 / Math.sqrt(channels), null, prefix + ".probs",
                pixels, pixels);
        SDVariable out = Linear.apply(w, prefix + ".to_out.0", MultiHeadAttention.mergeHeads(attended, pixels, 1, channels), channels, channels);
        return out.reshape(-1, height, width, channels).add(x);
    }
}
