package diffusionj.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Nearest-neighbour resize of channels-last activations [batch, H, W, C] to an exact size, with PyTorch's source index
 * floor(dst · in/out): ×2 for the usual up-blocks, and the skip connection's own size when a latent side
 * is not divisible by the number of down-samplings.
 */
public final class NearestUpsample {
    private NearestUpsample() {
    }

    public static SDVariable apply(SameDiff sd, SDVariable x, long channels, long inH, long inW, long outH, long outW) {
        if (outH == 2 * inH && outW == 2 * inW) {
            return doubled(sd, x, channels, inH, inW);
        }
        SDVariable rows = sd.gather(x, sd.constant(Nd4j.createFromArray(sourceIndices(inH, outH))), 1);
        return sd.gather(rows, sd.constant(Nd4j.createFromArray(sourceIndices(inW, outW))), 2);
    }

    /**
     * Exactly ×2: every value repeated into a 2×2 block by broadcasting it against zeros of the block's shape.
     * Unlike gather, this differentiates in ND4J 1.0.0-M2.1 (Gather's gradient names a variable "transposeConcat"
     * once per graph, so a graph with two gathers cannot be trained); an add, not a product with ones, because
     * ND4J's broadcasting multiply is slow to differentiate ({@link Broadcast}).
     */
    private static SDVariable doubled(SameDiff sd, SDVariable x, long channels, long inH, long inW) {
        SDVariable spread = x.reshape(-1, inH, 1, inW, 1, channels).add(sd.constant(Nd4j.zeros(DataType.FLOAT, 1, 1, 2, 1, 2, 1)));
        SDVariable outShape = sd.shape(x).mul(sd.constant(Nd4j.createFromArray(1L, 2L, 2L, 1L)));
        return sd.reshape(spread, outShape);
    }

    static int[] sourceIndices(long in, long out) {
        int[] idx = new int[(int) out];
        double scale = (double) in / out;
        for (int i = 0; i < out; i++) {
            idx[i] = (int) Math.min(Math.floor(i * scale), in - 1);
        }
        return idx;
    }
}
