package diffusionj.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;

/**
 * 2-D convolution on NCHW activations with PyTorch's [out, in, kH, kW] weights and symmetric zero padding.
 * Two routes, chosen by weight size (measured on 2 cores, see BENCHMARKS.md): oneDNN's convolution, fast
 * for narrow layers, but it re-lays the weights out on every call, which costs more than the arithmetic
 * for the 1280-channel layers at 8×8 or 16×16; those go through im2col and one matrix product with the
 * weights kept as [out, in·k²].
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
        Conv2DConfig config = Conv2DConfig.builder()
                .kH(kernel).kW(kernel).sH(stride).sW(stride).pH(padding).pW(padding).dH(1).dW(1)
                .paddingMode(PaddingMode.VALID).dataFormat("NCHW")
                .weightsFormat(w.weightsInPlace() ? WeightsFormat.OIYX : WeightsFormat.YXIO).build();
        SDVariable bias = w.get(prefix + ".bias", out);
        long[] shape = {out, in, kernel, kernel};
        if (out * in * kernel * kernel >= GEMM_ROUTE_WEIGHTS) {
            return im2colProduct(w, prefix, x, shape, config, height, width).add(prefix, bias.reshape(1, out, 1, 1));
        }
        SDVariable weight = w.weightsInPlace() ? w.get(prefix + ".weight", shape) : w.getPermuted(prefix + ".weight", shape, 2, 3, 1, 0);
        return w.graph().cnn.conv2d(prefix, x, weight, bias, config);
    }

    /** [batch, in, H, W] → columns [in·k², batch·oH·oW] → weights [out, in·k²] × columns → [batch, out, oH, oW]. */
    private static SDVariable im2colProduct(GraphWeights w, String prefix, SDVariable x, long[] shape, Conv2DConfig c,
                                           long height, long width) {
        SameDiff sd = w.graph();
        long out = shape[0];
        long patch = shape[1] * shape[2] * shape[3];
        long oh = (height + 2 * c.getPH() - c.getKH()) / c.getSH() + 1;
        long ow = (width + 2 * c.getPW() - c.getKW()) / c.getSW() + 1;
        SDVariable columns = sd.cnn.im2Col(x, c).permute(1, 2, 3, 0, 4, 5).reshape(patch, -1);
        SDVariable product = sd.mmul(w.getReshaped(prefix + ".weight", shape, out, patch), columns);
        return product.reshape(out, -1, oh, ow).permute(1, 0, 2, 3);
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
