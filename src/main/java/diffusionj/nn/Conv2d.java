package diffusionj.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;

/** 2-D convolution on NCHW activations with PyTorch's [out, in, kH, kW] weights, symmetric zero padding. */
public final class Conv2d {
    private Conv2d() {
    }

    public static SDVariable apply(GraphWeights w, String prefix, SDVariable x, long in, long out, int kernel, int stride, int padding) {
        SDVariable weight = w.get(prefix + ".weight", out, in, kernel, kernel);
        SDVariable bias = w.get(prefix + ".bias", out);
        Conv2DConfig config = Conv2DConfig.builder()
                .kH(kernel).kW(kernel).sH(stride).sW(stride).pH(padding).pW(padding).dH(1).dW(1)
                .paddingMode(PaddingMode.VALID).dataFormat("NCHW").weightsFormat(WeightsFormat.OIYX).build();
        return w.graph().cnn.conv2d(prefix, x, weight, bias, config);
    }

    /** The common 3×3, stride 1, "same" convolution. */
    public static SDVariable same3x3(GraphWeights w, String prefix, SDVariable x, long in, long out) {
        return apply(w, prefix, x, in, out, 3, 1, 1);
    }

    /** 1×1 convolution: a per-pixel linear map of channels. */
    public static SDVariable pointwise(GraphWeights w, String prefix, SDVariable x, long in, long out) {
        return apply(w, prefix, x, in, out, 1, 1, 0);
    }
}
