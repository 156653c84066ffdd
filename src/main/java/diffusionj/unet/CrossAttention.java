package diffusionj.unet;

import diffusionj.nn.GraphWeights;
import diffusionj.nn.Linear;
import diffusionj.nn.MultiHeadAttention;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * diffusers' Attention as the UNet uses it: {@code attn1} attends over the image's own pixels,
 * {@code attn2} over the text embeddings. q, k, v have no bias; {@code to_out.0} has one. The softmax
 * probabilities are named {@code <prefix>.probs}, [batch, heads, pixels, keys], for the token maps.
 * ({@code upcast_attention} asks for float32 scores: DiffusionJ always computes in float32.)
 */
final class CrossAttention {
    private CrossAttention() {
    }

    static String probsName(String prefix) {
        return prefix + ".probs";
    }

    /**
     * @param x       [batch·pixels, dim]
     * @param context [batch·keys, contextDim], or null for self-attention
     */
    static SDVariable apply(GraphWeights w, String prefix, SDVariable x, long pixels, long dim, SDVariable context,
                            long keys, long contextDim, long heads) {
        SDVariable kv = context == null ? x : context;
        long kvDim = context == null ? dim : contextDim;
        long kvTokens = context == null ? pixels : keys;
        long headWidth = dim / heads;
        SDVariable q = MultiHeadAttention.splitHeads(Linear.applyWithoutBias(w, prefix + ".to_q", x, dim, dim), pixels, heads, headWidth);
        SDVariable k = MultiHeadAttention.splitHeads(Linear.applyWithoutBias(w, prefix + ".to_k", kv, kvDim, dim), kvTokens, heads, headWidth);
        SDVariable v = MultiHeadAttention.splitHeads(Linear.applyWithoutBias(w, prefix + ".to_v", kv, kvDim, dim), kvTokens, heads, headWidth);
        SDVariable attended = MultiHeadAttention.attend(w.graph(), q, k, v, 1.0 / Math.sqrt(headWidth), null, probsName(prefix),
                pixels, kvTokens);
        return Linear.apply(w, prefix + ".to_out.0", MultiHeadAttention.mergeHeads(attended, pixels, heads, headWidth), dim, dim);
    }
}
