package diffusionj.io;

/**
 * The Stable Diffusion generations DiffusionJ runs. Detection only chooses a configuration, a key mapping and a
 * text conditioning; the family's defaults are the ones its pipelines in diffusers and the web UIs use.
 */
public enum ModelFamily {
    SD1("SD 1.x", 7.5),
    SD2("SD 2.x", 7.5),
    /** Stable Diffusion XL base 1.0 and its fine-tunes (two text towers, pooled and size conditioning). */
    SDXL("SDXL", 5.0);

    public final String displayName;
    /** The classifier-free guidance scale a new generation starts from. */
    public final double defaultGuidance;

    ModelFamily(String displayName, double defaultGuidance) {
        this.displayName = displayName;
        this.defaultGuidance = defaultGuidance;
    }

    /** The model's text towers, in the order their outputs are concatenated. */
    public java.util.List<Component> textTowers() {
        return this == SDXL ? java.util.List.of(Component.TEXT_ENCODER, Component.TEXT_ENCODER_2) : java.util.List.of(Component.TEXT_ENCODER);
    }

    /** How the web UIs call a variant of {@code family} whose UNet takes {@code inputChannels} at {@code conv_in}. */
    static String variant(ModelFamily family, long inputChannels) {
        return family.displayName + (inputChannels == 9 ? " inpainting" : inputChannels == 8 ? " instruct-pix2pix (edit)" : "")
                + " model (" + inputChannels + " UNet input channels)";
    }
}
