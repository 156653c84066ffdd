package diffusionj.nn;

import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Scaled dot-product attention over heads. Rows are flattened as [batch·tokens, width] outside; inside,
 * q, k, v become [batch, heads, tokens, headWidth] and all heads are one batched matmul. The softmax
 * probabilities get a name of their own so that callers can tap them (token maps).
 */
public final class MultiHeadAttention {
    private MultiHeadAttention() {
    }

    /** Large enough to zero a probability after softmax, small enough to stay finite in float32. */
    private static final double MASKED = -1e9;

    /** Additive mask [t, t] with which each position attends to itself and earlier positions only. */
    public static INDArray causalMask(long t) {
        INDArray mask = Nd4j.zeros(DataType.FLOAT, t, t);
        for (int i = 0; i < t; i++) {
            for (int j = i + 1; j < t; j++) {
                mask.putScalar(i, j, MASKED);
            }
        }
        return mask;
    }

    /** [batch·tokens, heads·headWidth] → [batch, heads, tokens, headWidth]. */
    public static SDVariable splitHeads(SDVariable x, long tokens, long heads, long headWidth) {
        return x.reshape(-1, tokens, heads, headWidth).permute(0, 2, 1, 3);
    }

    /** [batch, heads, tokens, headWidth] → [batch·tokens, heads·headWidth]. */
    public static SDVariable mergeHeads(SDVariable x, long tokens, long heads, long headWidth) {
        return x.permute(0, 2, 1, 3).reshape(-1, heads * headWidth);
    }

    /** Score matrices with more elements per head than this are computed in chunks of queries. */
    static final long CHUNK_ABOVE = 1L << 22;
    /** Elements per head of one chunk's scores (256 queries × 4096 keys at 512²). */
    static final long CHUNK_ELEMENTS = 1L << 20;

    /**
     * @param queries      tokens of q; with {@code keys}, decides whether to chunk
     * @param additiveMask broadcastable to [batch, heads, queries, keys] (e.g. a causal mask), or null
     * @param probsName    name of the softmax output, e.g. {@code "...attn2.probs"}; large self-attention is
     *                     chunked over queries (its probabilities are then not one named output)
     * @return attention output [batch, heads, queries, headWidth]
     */
    public static SDVariable attend(SameDiff sd, SDVariable q, SDVariable k, SDVariable v, double scale,
                                    SDVariable additiveMask, String probsName, long queries, long keys) {
        if (queries * keys <= CHUNK_ABOVE || additiveMask != null) {
            return attendAll(sd, q, k, v, scale, additiveMask, probsName);
        }
        long chunk = Math.max(1, CHUNK_ELEMENTS / keys);
        java.util.List<SDVariable> parts = new java.util.ArrayList<>();
        for (long start = 0; start < queries; start += chunk) {
            SDVariable qc = q.get(SDIndex.all(), SDIndex.all(), SDIndex.interval(start, Math.min(start + chunk, queries)), SDIndex.all());
            if (!parts.isEmpty()) {
                // SameDiff runs whatever is ready, breadth first: without this, every chunk's scores would be
                // computed before any softmax, and chunking would bound nothing.
                qc.addControlDependency(parts.get(parts.size() - 1));
            }
            SDVariable probs = sd.nn.softmax(sd.mmul(qc.mul(scale), k, false, true, false), -1);
            parts.add(sd.mmul(probs, v));
        }
        return sd.concat(2, parts.toArray(SDVariable[]::new));
    }

    private static SDVariable attendAll(SameDiff sd, SDVariable q, SDVariable k, SDVariable v, double scale,
                                        SDVariable additiveMask, String probsName) {
        SDVariable scores = sd.mmul(q.mul(scale), k, false, true, false);
        if (additiveMask != null) {
            scores = scores.add(additiveMask);
        }
        SDVariable probs = sd.nn.softmax(probsName, scores, -1);
        return sd.mmul(probs, v);
    }
}
