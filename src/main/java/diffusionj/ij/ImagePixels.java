package diffusionj.ij;

import diffusionj.pipeline.GenerationException;
import ij.ImagePlus;
import ij.gui.Roi;
import ij.plugin.filter.GaussianBlur;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** ImageJ images and selections as the pipeline's arrays: pixels [1, 3, H, W] in [−1, 1], masks [H, W] in [0, 1]. */
final class ImagePixels {
    private ImagePixels() {
    }

    /** The current slice as RGB; its size must suit the autoencoder. */
    static INDArray pixels(ImagePlus imp) {
        int w = imp.getWidth();
        int h = imp.getHeight();
        if (w % 8 != 0 || h % 8 != 0) {
            throw new GenerationException(imp.getTitle() + " is " + w + "x" + h + "; width and height must be multiples of 8"
                    + " (the autoencoder works on 8×8 blocks): use Image › Adjust › Size... or crop");
        }
        ColorProcessor rgb = (ColorProcessor) imp.getProcessor().convertToRGB();
        float[] data = new float[3 * w * h];
        int[] argb = (int[]) rgb.getPixels();
        for (int i = 0; i < argb.length; i++) {
            data[i] = ((argb[i] >> 16) & 0xff) / 127.5f - 1;
            data[w * h + i] = ((argb[i] >> 8) & 0xff) / 127.5f - 1;
            data[2 * w * h + i] = (argb[i] & 0xff) / 127.5f - 1;
        }
        return Nd4j.create(data, new long[]{1, 3, h, w}, 'c');
    }

    /** The selection as a mask, its edge softened by a Gaussian of σ = {@code blur} pixels. */
    static INDArray mask(ImagePlus imp, Roi roi, int blur) {
        if (roi == null || !roi.isArea()) {
            throw new GenerationException("Inpaint Selection needs an area selection on " + imp.getTitle()
                    + " (rectangle, oval, polygon or freehand) marking what to regenerate");
        }
        if (blur < 0 || blur > 64) {
            throw new GenerationException("mask blur must be between 0 and 64 pixels, got " + blur);
        }
        int w = imp.getWidth();
        int h = imp.getHeight();
        FloatProcessor mask = new FloatProcessor(w, h);
        mask.setColor(1.0);
        mask.fill(roi);
        if (blur > 0) {
            new GaussianBlur().blurGaussian(mask, blur);
        }
        return Nd4j.create((float[]) mask.getPixels(), new long[]{h, w}, 'c');
    }

}
