package diffusionj.nn;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static diffusionj.Parity.assertClose;

/**
 * The fixtures' layers are too small to reach the routes full-size models take: the im2col convolution
 * (weights of ≥ 4M elements; channels-last activations in and out) and query-chunked attention (≥ 2048² scores per
 * head). Both are checked here against the direct computation (for the convolution: ND4J's on NCHW).
 */
class Conv2dAndAttentionRoutesTest {

    @Test
    void im2colRouteEqualsDirectConvolutionForStrideOneAndTwo() {
        int in = 700;
        int out = 700;
        Nd4j.getRandom().setSeed(5);
        INDArray weight = Nd4j.randn(DataType.FLOAT, out, in, 3, 3).muli(0.02);
        INDArray bias = Nd4j.randn(DataType.FLOAT, out);
        INDArray x = Nd4j.randn(DataType.FLOAT, 2, in, 5, 7);
        for (int stride : new int[]{1, 2}) {
            SameDiff sd = SameDiff.create();
            GraphWeights w = new GraphWeights(sd, new WeightStore((key, shape) -> key.endsWith("weight") ? weight.dup() : bias.dup()));
            SDVariable input = sd.placeHolder("x", DataType.FLOAT, -1, 5, 7, in);
            Conv2d.apply(w, "conv", input, in, out, 3, stride, 1, 5, 7);
            INDArray routed = sd.output(Map.of("x", x.permute(0, 2, 3, 1).dup()), "conv").get("conv").permute(0, 3, 1, 2);

            SameDiff direct = SameDiff.create();
            SDVariable dx = direct.placeHolder("x", DataType.FLOAT, -1, in, 5, 7);
            direct.cnn.conv2d("y", dx, direct.constant(weight), direct.constant(bias), Conv2DConfig.builder()
                    .kH(3).kW(3).sH(stride).sW(stride).pH(1).pW(1).dH(1).dW(1).paddingMode(PaddingMode.VALID)
                    .dataFormat("NCHW").weightsFormat(WeightsFormat.OIYX).build());
            assertClose(direct.output(Map.of("x", x), "y").get("y"), routed, 1e-4, "stride " + stride);
        }
    }

    @Test
    void chunkedSelfAttentionEqualsTheWholeComputation() {
        long tokens = 2100;
        Nd4j.getRandom().setSeed(6);
        INDArray q = Nd4j.randn(DataType.FLOAT, 1, 2, tokens, 8);
        INDArray k = Nd4j.randn(DataType.FLOAT, 1, 2, tokens, 8);
        INDArray v = Nd4j.randn(DataType.FLOAT, 1, 2, tokens, 8);
        SameDiff sd = SameDiff.create();
        SDVariable sq = sd.constant(q);
        SDVariable sk = sd.constant(k);
        SDVariable sv = sd.constant(v);
        sd.identity("chunked", MultiHeadAttention.attend(sd, sq, sk, sv, 0.35, null, "p", tokens, tokens));
        sd.identity("whole", MultiHeadAttention.attend(sd, sq, sk, sv, 0.35, null, "p2", 1, 1));
        Map<String, INDArray> out = sd.output(Map.of(), "chunked", "whole");
        assertClose(out.get("whole"), out.get("chunked"), 1e-5, "chunked attention");
    }
}
