package diffusionj.unet;

import diffusionj.nn.Activations;
import diffusionj.nn.GraphWeights;
import diffusionj.nn.Linear;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * The transformer blocks' feed-forward: GEGLU ({@code ff.net.0.proj} to twice the inner width, the first
 * half gated by the exact GELU of the second), then {@code ff.net.2} back to the block width.
 */
final class GegluFeedForward {
    private GegluFeedForward() {
    }

    /** @param x [rows, dim]; inner width is 4·dim as in every SD 1.x/2.x block */
    static SDVariable apply(GraphWeights w, String prefix, SDVariable x, long dim) {
        long inner = dim * 4;
        SDVariable projected = Linear.apply(w, prefix + ".net.0.proj", x, dim, inner * 2);
        SDVariable[] halves = w.graph().split(projected, 2, 1);
        SDVariable gated = halves[0].mul(Activations.gelu(w.graph(), halves[1]));
        return Linear.apply(w, prefix + ".net.2", gated, inner, dim);
    }
}
