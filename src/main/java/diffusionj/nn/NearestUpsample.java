package diffusionj.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Nearest-neighbour resize of NCHW activations to an exact size, with PyTorch's source index
 * floor(dst · in/out): ×2 for the usual up-blocks, and the skip connection's own size when a latent side
 * is not divisible by the number of down-samplings.
 */
public final class NearestUpsample {
    private NearestUpsample() {
    }

    public static SDVariable apply(SameDiff sd, SDVariable x, long inH, long inW, long outH, long outW) {
        SDVariable rows = sd.gather(x, sd.constant(Nd4j.createFromArray(sourceIndices(inH, outH))), 2);
        return sd.gather(rows, sd.constant(Nd4j.createFromArray(sourceIndices(inW, outW))), 3);
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
