package diffusionj.unet;

import diffusionj.nn.Conv2d;
import diffusionj.nn.GraphWeights;
import diffusionj.nn.GroupNorm;
import diffusionj.nn.Linear;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * diffusers' Transformer2DModel: group norm, {@code proj_in} to pixel rows (a 1×1 conv for SD 1.x, a linear
 * layer when {@code use_linear_projection}, SD 2.x), transformer blocks, {@code proj_out} back to the
 * image's channels-last layout, plus the input.
 */
final class Transformer2D {
    /** diffusers fixes this group norm's epsilon, whatever the UNet's norm_eps. */
    private static final double NORM_EPS = 1e-6;

    private Transformer2D() {
    }

    /** @param depth the number of transformer blocks */
    static SDVariable apply(GraphWeights w, UNetConfig config, String prefix, SDVariable x, long channels, long height,
                            long width, SDVariable context, long keys, long heads, int depth) {
        w.orderAfter(x);
        long pixels = height * width;
        SDVariable h = GroupNorm.apply(w, prefix + ".norm", x, channels, height, width, config.normGroups(), NORM_EPS);
        if (config.useLinearProjection()) {
            h = Linear.apply(w, prefix + ".proj_in", toRows(h, channels), channels, channels);
        } else {
            h = toRows(Conv2d.pointwise(w, prefix + ".proj_in", h, channels, channels, height, width), channels);
        }
        for (int i = 0; i < depth; i++) {
            // Each block's weights are widened only once its input is ready: SDXL's deepest level has ten blocks,
            // 1.4 GB of float32 weights at full size, which must not all be alive at once.
            w.orderAfter(h);
            h = BasicTransformerBlock.apply(w, prefix + ".transformer_blocks." + i, h, pixels, channels, context, keys,
                    config.crossAttentionDim(), heads);
        }
        w.orderAfter(h);
        if (config.useLinearProjection()) {
            h = toImage(Linear.apply(w, prefix + ".proj_out", h, channels, channels), channels, height, width);
        } else {
            h = Conv2d.pointwise(w, prefix + ".proj_out", toImage(h, channels, height, width), channels, channels, height, width);
        }
        return h.add(x);
    }

    /** [batch, H, W, C] → [batch·H·W, C], pixels row-major: channels last, a reshape only. */
    private static SDVariable toRows(SDVariable x, long channels) {
        return x.reshape(-1, channels);
    }

    private static SDVariable toImage(SDVariable rows, long channels, long height, long width) {
        return rows.reshape(-1, height, width, channels);
    }
}
