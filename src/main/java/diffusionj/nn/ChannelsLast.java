package diffusionj.nn;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * The activation layout inside the UNet's and the autoencoder's graphs: channels last, [batch, H, W, C], because
 * oneDNN's convolutions are faster on it ({@link Conv2d}). The models take and return NCHW, as diffusers' do; these
 * are the two conversions at their edges.
 */
public final class ChannelsLast {
    private ChannelsLast() {
    }

    /** [batch, C, H, W] → [batch, H, W, C]. */
    public static SDVariable fromNchw(SDVariable x) {
        return x.permute(0, 2, 3, 1);
    }

    /** [batch, H, W, C] → [batch, C, H, W]. */
    public static SDVariable toNchw(SDVariable x) {
        return x.permute(0, 3, 1, 2);
    }
}
