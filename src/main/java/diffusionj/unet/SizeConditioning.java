package diffusionj.unet;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * SDXL's size "micro-conditioning": the size of the training image before cropping and where the crop began. SDXL
 * was trained on these, so they steer the picture (a small original size looks upscaled, a crop offset cuts the
 * subject). {@link #DEFAULT} is what diffusers and the web UIs use: original size = the image's size, crop (0, 0).
 *
 * @param originalWidth 0 for the image's own width (likewise originalHeight)
 */
public record SizeConditioning(int originalWidth, int originalHeight, int cropLeft, int cropTop) {
    public static final SizeConditioning DEFAULT = new SizeConditioning(0, 0, 0, 0);

    public boolean isDefault() {
        return equals(DEFAULT);
    }

    /** {@code time_ids} [rows, 6] for a {@code width}×{@code height} image: original (h, w), crop (top, left), target (h, w). */
    public INDArray timeIds(int width, int height, long rows) {
        float[] ids = {
                originalHeight == 0 ? height : originalHeight, originalWidth == 0 ? width : originalWidth,
                cropTop, cropLeft, height, width};
        return Nd4j.createFromArray(ids).reshape(1, 6).repeat(0, rows);
    }
}
