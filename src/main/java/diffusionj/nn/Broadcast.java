package diffusionj.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Products with a smaller array broadcast over a larger one, written so that ND4J 1.0.0-M2.1 runs and
 * differentiates them at the speed of plain elementwise ops. Its broadcasting multiply is slow both ways:
 * profiled inside a training step, the gradients of the norms' per-channel and per-group scales took 0.9 s
 * of a 2.7 s step (e.g. 13 ms for [16, 32, 32, 32] × [1, 32, 1, 1], where a same-shape product takes 1 ms).
 * Broadcasting by an add is fast in ND4J, so the small array is first spread to the full shape by adding it
 * to zeros, then multiplied element by element; the values are bit for bit those of the direct product.
 */
public final class Broadcast {
    private Broadcast() {
    }

    /** {@code x · small}, small broadcastable to x's shape. */
    public static SDVariable multiply(SameDiff sd, SDVariable x, SDVariable small) {
        return x.mul(spread(sd, x, small));
    }

    /** {@code small} broadcast to the shape of {@code like}. */
    private static SDVariable spread(SameDiff sd, SDVariable like, SDVariable small) {
        return sd.zerosLike(like).add(small);
    }
}
