package diffusionj.vae;

import com.google.gson.JsonObject;
import diffusionj.io.CheckpointException;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A fixed, lossless "latent space": each f×f block of pixels becomes 3·f² channels of one latent pixel
 * (PyTorch's pixel_unshuffle order: channel c·f² + dy·f + dx). The embedded model diffuses in this space:
 * flat-coloured scenes need no learned autoencoder, there is none to train, and the UNet works at 1/f of the
 * image size — the cost of a 64² image is that of a 32² one. Config ({@code vae/config.json}):
 * {@code {"_class_name": "PixelUnshuffle", "factor": 2}}; it has no weights.
 */
public record PixelUnshuffle(int factor) implements ImageCodec {
    public static final String CLASS_NAME = "PixelUnshuffle";

    public PixelUnshuffle {
        if (factor < 1 || factor > 16) {
            throw new CheckpointException("PixelUnshuffle factor must be between 1 and 16, found " + factor);
        }
    }

    public static boolean describes(JsonObject vaeConfig) {
        return vaeConfig.has("_class_name") && CLASS_NAME.equals(vaeConfig.get("_class_name").getAsString());
    }

    public static PixelUnshuffle fromJson(JsonObject c) {
        if (!c.has("factor")) {
            throw new CheckpointException("vae config: a PixelUnshuffle needs \"factor\"");
        }
        return new PixelUnshuffle(c.get("factor").getAsInt());
    }

    public JsonObject toJson() {
        JsonObject c = new JsonObject();
        c.addProperty("_class_name", CLASS_NAME);
        c.addProperty("factor", factor);
        return c;
    }

    @Override
    public int downscale() {
        return factor;
    }

    /** Flat colours in [−1, 1] already have about unit spread. */
    @Override
    public double scalingFactor() {
        return 1.0;
    }

    @Override
    public INDArray encode(INDArray image) {
        long b = image.size(0), c = image.size(1), h = image.size(2) / factor, w = image.size(3) / factor;
        if (image.size(2) % factor != 0 || image.size(3) % factor != 0) {
            throw new IllegalArgumentException("image size " + image.size(3) + "×" + image.size(2) + " is not a multiple of " + factor);
        }
        return image.dup('c').reshape(b, c, h, factor, w, factor).permute(0, 1, 3, 5, 2, 4).dup('c')
                .reshape(b, c * factor * factor, h, w);
    }

    @Override
    public INDArray decode(INDArray latent) {
        long b = latent.size(0), c = latent.size(1) / (factor * factor), h = latent.size(2), w = latent.size(3);
        return latent.dup('c').reshape(b, c, factor, factor, h, w).permute(0, 1, 4, 2, 5, 3).dup('c')
                .reshape(b, c, h * factor, w * factor);
    }
}
