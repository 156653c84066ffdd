package diffusionj.io;

/** The Stable Diffusion generations DiffusionJ runs; detection only chooses a configuration. */
public enum ModelFamily {
    SD1("SD 1.x"), SD2("SD 2.x");

    public final String displayName;

    ModelFamily(String displayName) {
        this.displayName = displayName;
    }
}
