package diffusionj.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Group normalisation of NCHW activations (ND4J has no such op): channels are split into groups, each
 * group normalised over its channels and pixels with the biased variance, then scaled and shifted per
 * channel.
 */
public final class GroupNorm {
    private GroupNorm() {
    }

    public static SDVariable apply(GraphWeights w, String prefix, SDVariable x, long channels, long height, long width,
                                   long groups, double eps) {
        SameDiff sd = w.graph();
        SDVariable grouped = x.reshape(-1, groups, channels / groups * height * width);
        SDVariable centred = grouped.sub(grouped.mean(true, 2));
        SDVariable variance = centred.mul(centred).mean(true, 2);
        SDVariable normed = Broadcast.multiply(sd, centred, sd.math.rsqrt(variance.add(eps))).reshape(-1, channels, height, width);
        SDVariable gamma = w.get(prefix + ".weight", channels).reshape(1, channels, 1, 1);
        SDVariable beta = w.get(prefix + ".bias", channels).reshape(1, channels, 1, 1);
        return Broadcast.multiply(sd, normed, gamma).add(beta);
    }
}
