package diffusionj.io;

/** The parts of a Stable Diffusion model, named as the folders of a diffusers model. */
public enum Component {
    TEXT_ENCODER("text_encoder", "config.json", "model"),
    /** SDXL's second text tower (OpenCLIP ViT-bigG with its projection). */
    TEXT_ENCODER_2("text_encoder_2", "config.json", "model"),
    UNET("unet", "config.json", "diffusion_pytorch_model"),
    VAE("vae", "config.json", "diffusion_pytorch_model"),
    /** The noise schedule: a config only, no weights. */
    SCHEDULER("scheduler", "scheduler_config.json", null);

    public final String folder;
    public final String configFile;
    /** File name stem inside the component folder, before ".safetensors" or ".fp16.safetensors". */
    public final String weightsStem;

    Component(String folder, String configFile, String weightsStem) {
        this.folder = folder;
        this.configFile = configFile;
        this.weightsStem = weightsStem;
    }
}
