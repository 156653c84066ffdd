package diffusionj.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Layer normalisation over the last axis of x [rows, width], with the model's own epsilon (composed from
 * primitives so that epsilon and the biased variance match PyTorch exactly).
 */
public final class LayerNorm {
    private LayerNorm() {
    }

    public static SDVariable apply(GraphWeights w, String prefix, SDVariable x, long width, double eps) {
        SameDiff sd = w.graph();
        SDVariable centred = x.sub(x.mean(true, 1));
        SDVariable variance = centred.mul(centred).mean(true, 1);
        SDVariable normed = Broadcast.multiply(sd, centred, sd.math.rsqrt(variance.add(eps)));
        return Broadcast.multiply(sd, normed, w.get(prefix + ".weight", width)).add(w.get(prefix + ".bias", width));
    }
}
