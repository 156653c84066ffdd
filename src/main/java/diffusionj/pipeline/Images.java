package diffusionj.pipeline;

import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.img.basictypeaccess.array.IntArray;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.type.numeric.ARGBType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Rint;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.awt.image.BufferedImage;

/** Decoded images [batch, 3, H, W] in [−1, 1] → 8-bit RGB as diffusers rounds them: round(clamp(x/2 + ½) · 255). */
public final class Images {
    private Images() {
    }

    /** [batch, 3, H, W] of 0…255 levels (half-way values round to even, as numpy does). */
    public static INDArray toLevels(INDArray decoded) {
        INDArray unit = Transforms.min(Transforms.max(decoded.div(2).addi(0.5), 0.0, false), 1.0, false);
        return Nd4j.exec(new Rint(unit.muli(255)));
    }

    public static ArrayImg<ARGBType, IntArray> toArgb(INDArray levels, int image) {
        int h = (int) levels.size(2);
        int w = (int) levels.size(3);
        float[] r = channel(levels, image, 0);
        float[] g = channel(levels, image, 1);
        float[] b = channel(levels, image, 2);
        int[] argb = new int[h * w];
        for (int i = 0; i < argb.length; i++) {
            argb[i] = ARGBType.rgba((int) r[i], (int) g[i], (int) b[i], 255);
        }
        return ArrayImgs.argbs(argb, w, h);
    }

    /** The image as AWT draws and writes it (PNG files, the shapes checker). */
    public static BufferedImage toBufferedImage(ArrayImg<ARGBType, IntArray> img) {
        int w = (int) img.dimension(0);
        int h = (int) img.dimension(1);
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, w, h, img.update(null).getCurrentStorageArray(), 0, w);
        return image;
    }

    /** An RGB image as the autoencoder's input [1, 3, H, W] in [−1, 1]. */
    public static INDArray fromArgb(ArrayImg<ARGBType, IntArray> img) {
        int w = (int) img.dimension(0);
        int h = (int) img.dimension(1);
        int[] argb = img.update(null).getCurrentStorageArray();
        float[] data = new float[3 * w * h];
        for (int i = 0; i < argb.length; i++) {
            data[i] = ARGBType.red(argb[i]) / 127.5f - 1;
            data[w * h + i] = ARGBType.green(argb[i]) / 127.5f - 1;
            data[2 * w * h + i] = ARGBType.blue(argb[i]) / 127.5f - 1;
        }
        return Nd4j.create(data, new long[]{1, 3, h, w}, 'c');
    }

    /** An image file Java reads (PNG, JPEG, TIFF, BMP, GIF); a missing, unreadable or unknown file is named. */
    public static BufferedImage read(java.nio.file.Path file) {
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new diffusionj.io.CheckpointException("no image at " + file);
        }
        try {
            BufferedImage image = javax.imageio.ImageIO.read(file.toFile());
            if (image == null) {
                throw new diffusionj.io.CheckpointException(file + " is not an image this reader knows (PNG, JPEG, TIFF, BMP or GIF)");
            }
            return image;
        } catch (java.io.IOException e) {
            throw new diffusionj.io.CheckpointException("cannot read the image " + file + ": " + e.getMessage(), e);
        }
    }

    /** An AWT image (a PNG read from disk, a drawn scene) as the autoencoder's input [1, 3, H, W] in [−1, 1]. */
    public static INDArray fromBufferedImage(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        return fromArgb(ArrayImgs.argbs(image.getRGB(0, 0, w, h, null, 0, w), w, h));
    }

    /** A float image as an array [H, W]. */
    public static INDArray fromFloats(ArrayImg<FloatType, FloatArray> img) {
        return Nd4j.create(img.update(null).getCurrentStorageArray().clone(), new long[]{img.dimension(1), img.dimension(0)}, 'c');
    }

    private static float[] channel(INDArray levels, int image, int c) {
        return levels.get(NDArrayIndex.point(image), NDArrayIndex.point(c), NDArrayIndex.all(), NDArrayIndex.all()).dup('c').data().asFloat();
    }
}
