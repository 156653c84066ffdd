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
        return separable(maps, outH, outW, Bicubic::weights);
    }

    /** The [out, in] matrix of a 1-D resize. */
    public interface Weights {
        INDArray of(int in, int out);
    }

    /** Any separable resize of maps [n, inH, inW]: along the width, then along the height, each a product with its [out, in] weight matrix. */
    public static INDArray separable(INDArray maps, int outH, int outW, Weights weights) {
        long n = maps.size(0);
        int inH = (int) maps.size(1);
        int inW = (int) maps.size(2);
        INDArray alongW = maps.reshape(n * inH, inW).mmul(weights.of(inW, outW).transpose()).reshape(n, inH, outW);
        INDArray rows = alongW.permute(0, 2, 1).dup('c').reshape(n * outW, inH);
        return rows.mmul(weights.of(inH, outH).transpose()).reshape(n, outW, outH).permute(0, 2, 1).dup('c');
    }

    /**
     * maps [n, inH, inW] → [n, outH, outW] for pictures: as {@link #resize} when enlarging; when shrinking, the cubic
     * kernel is stretched by the factor so every source pixel contributes (PIL's and torchvision's antialiased resize),
     * where plain bicubic would sample 4 of every k pixels and alias fine detail. Weights at the border are renormalised.
     */
    public static INDArray resizePicture(INDArray maps, int outH, int outW) {
        return separable(maps, outH, outW, Bicubic::stretchedWeights);
    }

    /** [out, in]: the cubic kernel widened by max(in/out, 1), each row summing to 1. */
    static INDArray stretchedWeights(int in, int out) {
        return normalisedKernel(in, out, 2, x -> x < 1 ? near(x) : x < 2 ? far(x) : 0);
    }

    /**
     * [out, in] weights of a symmetric kernel of the given radius (in source pixels at 1:1), widened by the shrink factor
     * when shrinking so that every source pixel contributes; each row sums to 1, so taps cut off at a border are made up.
     */
    public static INDArray normalisedKernel(int in, int out, double radius, java.util.function.DoubleUnaryOperator kernelOfDistance) {
        double scale = (double) in / out;
        double stretch = Math.max(scale, 1);
        double[][] w = new double[out][in];
        for (int o = 0; o < out; o++) {
            double centre = scale * (o + 0.5);
            int first = Math.max(0, (int) Math.floor(centre - radius * stretch));
            int last = Math.min(in - 1, (int) Math.ceil(centre + radius * stretch));
            double sum = 0;
            for (int i = first; i <= last; i++) {
                w[o][i] = kernelOfDistance.applyAsDouble(Math.abs((i + 0.5 - centre) / stretch));
                sum += w[o][i];
            }
            for (int i = first; i <= last; i++) {
                w[o][i] /= sum;
            }
        }
        return Nd4j.create(w).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
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
