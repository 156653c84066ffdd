package diffusionj.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;

/**
 * 2-D convolution on channels-last (NHWC) activations with PyTorch's [out, in, kH, kW] weights and symmetric zero
 * padding. Channels last because oneDNN runs it 1.5–4× faster than on NCHW, at the same values bit for bit
 * (measured on 2 cores, batch 1, 3×3: 128 channels at 256² 104 → 392 GFLOP/s, 256 at 256² 174 → 397, 512 at 128²
 * 208 → 371; BENCHMARKS.md). Two routes, chosen by weight size: oneDNN's convolution, fast for narrow layers, but
 * it re-lays the weights out on every call, which costs more than the arithmetic for the 1280-channel layers at
 * 8×8 or 16×16 in either layout; those go through im2col and one matrix product with the weights kept as
 * [out, in·k²].
 */
public final class Conv2d {
    /** Weights of at least this many elements (16 MB) take the im2col route. */
    static final long GEMM_ROUTE_WEIGHTS = 4L << 20;

    private Conv2d() {
    }

    public static SDVariable apply(GraphWeights w, String prefix, SDVariable x, long in, long out, int kernel, int stride, int padding,
                                   long height, long width) {
        w.orderAfter(x);
        // ND4J's native weight layout [kH, kW, in, out] spares a conversion per call where weights are laid out
        // once at load; weights used in place keep the file's [out, in, kH, kW], contiguous once widened (a
        // permuted view of them would take the convolution off oneDNN's fast path).
        Conv2DConfig config = config(kernel, stride, padding, "NHWC", w.weightsInPlace() ? WeightsFormat.OIYX : WeightsFormat.YXIO);
        SDVariable bias = w.get(prefix + ".bias", out);
        long[] shape = {out, in, kernel, kernel};
        if (out * in * kernel * kernel >= GEMM_ROUTE_WEIGHTS) {
            return im2colProduct(w, prefix, x, shape, config, height, width).add(prefix, bias.reshape(1, 1, 1, out));
        }
        SDVariable weight = w.weightsInPlace() ? w.get(prefix + ".weight", shape) : w.getPermuted(prefix + ".weight", shape, 2, 3, 1, 0);
        return w.graph().cnn.conv2d(prefix, x, weight, bias, config);
    }

    /**
     * [batch, H, W, in] → NCHW (ND4J's im2col takes no other; these layers are small: 8² or 16² pixels) → columns
     * [in·k², batch·oH·oW] → weights [out, in·k²] × columns → [batch, oH, oW, out].
     */
    private static SDVariable im2colProduct(GraphWeights w, String prefix, SDVariable x, long[] shape, Conv2DConfig c,
                                           long height, long width) {
        SameDiff sd = w.graph();
        long out = shape[0];
        long patch = shape[1] * shape[2] * shape[3];
        long oh = (height + 2 * c.getPH() - c.getKH()) / c.getSH() + 1;
        long ow = (width + 2 * c.getPW() - c.getKW()) / c.getSW() + 1;
        Conv2DConfig nchw = config((int) c.getKH(), (int) c.getSH(), (int) c.getPH(), "NCHW", c.getWeightsFormat());
        SDVariable columns = sd.cnn.im2Col(ChannelsLast.toNchw(x), nchw).permute(1, 2, 3, 0, 4, 5).reshape(patch, -1);
        SDVariable product = sd.mmul(w.getReshaped(prefix + ".weight", shape, out, patch), columns);
        return product.reshape(out, -1, oh, ow).permute(1, 2, 3, 0);
    }

    private static Conv2DConfig config(int kernel, int stride, int padding, String layout, WeightsFormat weights) {
        return Conv2DConfig.builder()
                .kH(kernel).kW(kernel).sH(stride).sW(stride).pH(padding).pW(padding).dH(1).dW(1)
                .paddingMode(PaddingMode.VALID).dataFormat(layout).weightsFormat(weights).build();
    }

    /** The common 3×3, stride 1, "same" convolution. */
    public static SDVariable same3x3(GraphWeights w, String prefix, SDVariable x, long in, long out, long height, long width) {
        return apply(w, prefix, x, in, out, 3, 1, 1, height, width);
    }

    /** 1×1 convolution: a per-pixel linear map of channels. */
    public static SDVariable pointwise(GraphWeights w, String prefix, SDVariable x, long in, long out, long height, long width) {
        return apply(w, prefix, x, in, out, 1, 1, 0, height, width);
    }
}
