package diffusionj.unet;

import diffusionj.nn.Activations;
import diffusionj.nn.Conv2d;
import diffusionj.nn.GraphWeights;
import diffusionj.nn.GroupNorm;
import diffusionj.nn.Linear;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * diffusers' ResnetBlock2D: norm1 → SiLU → conv1, plus the projected time embedding per channel,
 * norm2 → SiLU → conv2; the input joins through a 1×1 {@code conv_shortcut} when channels change.
 * The VAE uses the same block without a time embedding.
 */
public final class ResnetBlock2D {
    private ResnetBlock2D() {
    }

    /** @param temb [batch, timeDim] or null (VAE) */
    public static SDVariable apply(GraphWeights w, String prefix, SDVariable x, SDVariable temb, long timeDim,
                                   long in, long out, long height, long width, long groups, double eps) {
        w.orderAfter(x);
        SameDiff sd = w.graph();
        SDVariable h = Activations.silu(sd, GroupNorm.apply(w, prefix + ".norm1", x, in, height, width, groups, eps));
        h = Conv2d.same3x3(w, prefix + ".conv1", h, in, out, height, width);
        if (temb != null) {
            SDVariable t = Linear.apply(w, prefix + ".time_emb_proj", Activations.silu(sd, temb), timeDim, out);
            h = h.add(t.reshape(-1, 1, 1, out));
        }
        h = Activations.silu(sd, GroupNorm.apply(w, prefix + ".norm2", h, out, height, width, groups, eps));
        h = Conv2d.same3x3(w, prefix + ".conv2", h, out, out, height, width);
        SDVariable shortcut = in == out ? x : Conv2d.pointwise(w, prefix + ".conv_shortcut", x, in, out, height, width);
        return shortcut.add(h);
    }
}
