package diffusionj.pipeline;

import diffusionj.attention.Bicubic;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The hires fix's upscalers, as separable weight matrices ({@link Bicubic#separable}): bilinear for the latent (PyTorch's
 * {@code interpolate(mode="bilinear", align_corners=False)}, which the web UI's "Latent" upscaler calls), and Lanczos
 * (a = 3, PIL's LANCZOS) or bicubic for the decoded picture.
 */
final class HiresUpscale {
    private static final int LANCZOS_A = 3;

    private HiresUpscale() {
    }

    /** [b, c, h, w] → [b, c, outH, outW]. */
    static INDArray resize(INDArray x, int outH, int outW, String upscaler) {
        long b = x.size(0);
        long c = x.size(1);
        INDArray maps = x.dup('c').reshape(b * c, x.size(2), x.size(3));
        INDArray out = switch (upscaler) {
            case "latent" -> Bicubic.separable(maps, outH, outW, HiresUpscale::bilinear);
            case "lanczos" -> Bicubic.separable(maps, outH, outW, HiresUpscale::lanczos);
            case "bicubic" -> Bicubic.resizePicture(maps, outH, outW);
            default -> throw new GenerationException("unknown hires upscaler '" + upscaler + "'");
        };
        return out.reshape(b, c, outH, outW);
    }

    /** Half-pixel centres, the source index clamped at 0 below and at the last pixel above. */
    static INDArray bilinear(int in, int out) {
        double[][] w = new double[out][in];
        double scale = (double) in / out;
        for (int o = 0; o < out; o++) {
            double src = Math.max(scale * (o + 0.5) - 0.5, 0);
            int x0 = Math.min((int) src, in - 1);
            int x1 = Math.min(x0 + 1, in - 1);
            double t = src - x0;
            w[o][x0] += 1 - t;
            w[o][x1] += t;
        }
        return Nd4j.create(w).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
    }

    /** sinc(x)·sinc(x/3) over ±3 source pixels, each row summing to 1, as PIL's LANCZOS. */
    static INDArray lanczos(int in, int out) {
        return Bicubic.normalisedKernel(in, out, LANCZOS_A, x -> x < LANCZOS_A ? sinc(x) * sinc(x / LANCZOS_A) : 0);
    }

    private static double sinc(double x) {
        return x == 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    }
}
