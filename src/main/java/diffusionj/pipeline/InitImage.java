package diffusionj.pipeline;

import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.img.basictypeaccess.array.IntArray;
import net.imglib2.type.numeric.ARGBType;
import net.imglib2.type.numeric.real.FloatType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The starting point of image-to-image and inpainting: the image [1, 3, H, W] in [−1, 1], how much of the
 * schedule to run on it (strength 1: all of it, from almost pure noise; 0.3: the last 30 %, a light
 * retouch), and for inpainting a mask [H, W] in [0, 1] (1 = regenerate) whose soft edge is {@code maskBlur}
 * pixels wide. Outside the mask the result keeps the original pixels.
 */
public record InitImage(INDArray pixels, double strength, INDArray mask, int maskBlur) {
    public static InitImage of(INDArray pixels, double strength) {
        return new InitImage(pixels, strength, null, 0);
    }

    /** From ImgLib2 images: an RGB picture and, for inpainting, a mask in [0, 1] (null for image-to-image). */
    public static InitImage of(ArrayImg<ARGBType, IntArray> image, double strength, ArrayImg<FloatType, FloatArray> mask, int maskBlur) {
        return new InitImage(Images.fromArgb(image), strength, mask == null ? null : Images.fromFloats(mask), maskBlur);
    }

    public boolean inpainting() {
        return mask != null;
    }

    /** How many of {@code steps} sampler steps run: as diffusers counts, ⌊steps · strength⌋. */
    public int stepsRun(int steps) {
        return Math.min((int) (steps * strength), steps);
    }

    void validate(GenerationRequest r) {
        if (!(strength > 0 && strength <= 1)) {
            throw new GenerationException("denoising strength must be above 0 and at most 1, got " + strength);
        }
        if (stepsRun(r.steps()) == 0) {
            throw new GenerationException("denoising strength " + strength + " with " + r.steps()
                    + " steps runs no step at all; raise the strength or the steps");
        }
        if (pixels.size(2) != r.height() || pixels.size(3) != r.width()) {
            throw new GenerationException("the init image is " + pixels.size(3) + "x" + pixels.size(2)
                    + " but the request asks for " + r.width() + "x" + r.height());
        }
        if (mask != null && (mask.size(0) != r.height() || mask.size(1) != r.width())) {
            throw new GenerationException("the mask is " + mask.size(1) + "x" + mask.size(0) + ", the image " + r.width() + "x" + r.height());
        }
    }
}
