package diffusionj.attention;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * PyTorch's {@code interpolate(mode="bicubic", align_corners=False)}: cubic convolution with A = −0.75,
 * half-pixel centres, source indices clamped at the border. Separable, so a resize is two matrix products
 * with [out, in] weight matrices.
 */
public final class Bicubic {
    private static final double A = -0.75;

    private Bicubic() {
    }

    /** maps [n, inH, inW] → [n, outH, outW]. */
    public static INDArray resize(INDArray maps, int outH, int outW) {
        long n = maps.size(0);
        int inH = (int) maps.size(1);
        int inW = (int) maps.size(2);
        INDArray alongW = maps.reshape(n * inH, inW).mmul(weights(inW, outW).transpose()).reshape(n, inH, outW);
        INDArray rows = alongW.permute(0, 2, 1).dup('c').reshape(n * outW, inH);
        return rows.mmul(weights(inH, outH).transpose()).reshape(n, outW, outH).permute(0, 2, 1).dup('c');
    }

    /** The [out, in] matrix whose row o holds the four cubic weights of output o, clamped taps summed. */
    static INDArray weights(int in, int out) {
        double[][] w = new double[out][in];
        double scale = (double) in / out;
        for (int o = 0; o < out; o++) {
            double src = scale * (o + 0.5) - 0.5;
            int x0 = (int) Math.floor(src);
            double t = src - x0;
            double[] c = {far(t + 1), near(t), near(1 - t), far(2 - t)};
            for (int k = 0; k < 4; k++) {
                int index = Math.min(Math.max(x0 - 1 + k, 0), in - 1);
                w[o][index] += c[k];
            }
        }
        return Nd4j.create(w).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
    }

    private static double near(double x) {
        return ((A + 2) * x - (A + 3)) * x * x + 1;
    }

    private static double far(double x) {
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
    }
}
