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

    /**
     * From the two "A,B" texts the command line and macros write (original size W,H; crop X,Y; absent: "0,0"), naming
     * {@code what} and the value when one is not two non-negative whole numbers.
     */
    public static SizeConditioning parse(String originalSize, String cropTopLeft, String originalName, String cropName) {
        int[] size = pair(originalSize, originalName);
        int[] crop = pair(cropTopLeft, cropName);
        return new SizeConditioning(size[0], size[1], crop[0], crop[1]);
    }

    private static int[] pair(String value, String what) {
        String[] parts = value.split(",");
        try {
            if (parts.length == 2) {
                int a = Integer.parseInt(parts[0].strip());
                int b = Integer.parseInt(parts[1].strip());
                if (a >= 0 && b >= 0) {
                    return new int[]{a, b};
                }
            }
        } catch (NumberFormatException e) {
            // named below
        }
        throw new IllegalArgumentException(what + " takes two non-negative whole numbers as A,B (e.g. 1024,1024), got '" + value + "'");
    }

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
