package diffusionj.train;

/**
 * The size of a new {@code train-autoencoder} run's AutoencoderKL: three levels of {@code width}, 2·width and
 * 4·width channels (two halvings, so the latent is a quarter of the side), {@code layersPerBlock} resnets per
 * encoder level (one more per decoder level, as in diffusers), {@code latentChannels} numbers per latent pixel.
 * The latent channels bound what survives the bottleneck; the width of the full-resolution level bounds how sharp
 * the decoder can draw an edge.
 */
public record AutoencoderShape(int latentChannels, int width, int layersPerBlock) {
    /** The group norms split channels into 8 groups. */
    public static final int GROUPS = 8;

    public AutoencoderShape {
        if (width % GROUPS != 0) {
            throw new IllegalArgumentException("width must be a multiple of " + GROUPS + " (the group norms' groups), got " + width);
        }
    }

    public static AutoencoderShape defaults(int latentChannels) {
        return new AutoencoderShape(latentChannels, 16, 1);
    }
}
