package diffusionj.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Scaled dot-product attention over heads. Rows are flattened as [batch·tokens, width] outside; inside,
 * q, k, v become [batch, heads, tokens, headWidth] and all heads are one batched matmul. The softmax
 * probabilities get a name of their own so that callers can tap them (token maps).
 */
public final class MultiHeadAttention {
    private MultiHeadAttention() {
    }

    /** [batch·tokens, heads·headWidth] → [batch, heads, tokens, headWidth]. */
    public static SDVariable splitHeads(SDVariable x, long tokens, long heads, long headWidth) {
        return x.reshape(-1, tokens, heads, headWidth).permute(0, 2, 1, 3);
    }

    /** [batch, heads, tokens, headWidth] → [batch·tokens, heads·headWidth]. */
    public static SDVariable mergeHeads(SDVariable x, long tokens, long heads, long headWidth) {
        return x.permute(0, 2, 1, 3).reshape(-1, heads * headWidth);
    }

    /**
     * @param additiveMask broadcastable to [batch, heads, queries, keys] (e.g. a causal mask), or null
     * @param probsName    name of the softmax output, e.g. {@code "...attn2.probs"}
     * @return attention output [batch, heads, queries, headWidth]
     */
    public static SDVariable attend(SameDiff sd, SDVariable q, SDVariable k, SDVariable v, double scale,
                                    SDVariable additiveMask, String probsName) {
        SDVariable scores = sd.mmul(q.mul(scale), k, false, true, false);
        if (additiveMask != null) {
            scores = scores.add(additiveMask);
        }
        SDVariable probs = sd.nn.softmax(probsName, scores, -1);
        return sd.mmul(probs, v);
    }
}
