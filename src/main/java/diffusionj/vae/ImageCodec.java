package diffusionj.vae;

import com.google.gson.JsonObject;
import diffusionj.io.Checkpoint;
import diffusionj.io.Component;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where diffusion happens: maps images [batch, 3, H, W] in [−1, 1] to the space the UNet denoises and back.
 * Stable Diffusion's is the learned {@link AutoencoderKL}; the embedded model's is the fixed
 * {@link PixelUnshuffle}. Latents seen by the UNet are the encoding times {@link #scalingFactor()}.
 */
public interface ImageCodec {
    /** The model's codec as its {@code vae/config.json} names it: the fixed pixel unshuffle or an autoencoder. */
    static ImageCodec load(Checkpoint checkpoint) {
        JsonObject c = checkpoint.config(Component.VAE);
        return PixelUnshuffle.describes(c) ? PixelUnshuffle.fromJson(c) : AutoencoderKL.load(checkpoint);
    }

    /** Image pixels per latent pixel along each side. */
    int downscale();

    /** Prepares decoding latents of this size and encoding the matching images ahead of use (graphs, say). */
    default void build(long latentHeight, long latentWidth) {
    }

    /** The factor that brings encodings to roughly unit variance before diffusion. */
    double scalingFactor();

    /** @param latent unscaled, [batch, channels, h, w]; returns [batch, 3, h·downscale, w·downscale] */
    INDArray decode(INDArray latent);

    /** The encoding of an image (for an autoencoder, its posterior mean), unscaled. */
    INDArray encode(INDArray image);

    /** Its phase is over: weights read in place from the file stop counting in memory until next used. */
    default void releaseWeightPages() {
    }
}
