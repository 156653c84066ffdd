package diffusionj.ij;

import diffusionj.pipeline.GenerationException;
import ij.ImagePlus;
import ij.gui.Roi;
import ij.plugin.filter.GaussianBlur;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.img.basictypeaccess.array.IntArray;
import net.imglib2.type.numeric.ARGBType;
import net.imglib2.type.numeric.real.FloatType;

/** ImageJ images and selections as the engine takes them: ImgLib2 RGB images, and masks in [0, 1]. */
final class ImagePixels {
    private ImagePixels() {
    }

    /** The current slice as RGB; its size must suit the autoencoder. */
    static ArrayImg<ARGBType, IntArray> pixels(ImagePlus imp) {
        int w = imp.getWidth();
        int h = imp.getHeight();
        if (w % 8 != 0 || h % 8 != 0) {
            throw new GenerationException(imp.getTitle() + " is " + w + "x" + h + "; width and height must be multiples of 8"
                    + " (the autoencoder works on 8×8 blocks): use Image › Adjust › Size... or crop");
        }
        ColorProcessor rgb = (ColorProcessor) imp.getProcessor().convertToRGB();
        return ArrayImgs.argbs(((int[]) rgb.getPixels()).clone(), w, h);
    }

    /** The image's area selection: what inpainting regenerates. */
    static Roi areaSelection(ImagePlus imp) {
        Roi roi = imp.getRoi();
        if (roi == null || !roi.isArea()) {
            throw new GenerationException("Inpaint Selection needs an area selection on " + imp.getTitle()
                    + " (rectangle, oval, polygon or freehand) marking what to regenerate");
        }
        return roi;
    }

    /** An area selection (see {@link #areaSelection}) as a mask, its edge softened by a Gaussian of σ = {@code blur} pixels. */
    static ArrayImg<FloatType, FloatArray> mask(ImagePlus imp, Roi roi, int blur) {
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
        return ArrayImgs.floats((float[]) mask.getPixels(), w, h);
    }

}
