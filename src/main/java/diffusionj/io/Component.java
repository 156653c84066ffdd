package diffusionj.io;

/** The parts of a Stable Diffusion model, named as the folders of a diffusers model. */
public enum Component {
    TEXT_ENCODER("text_encoder", "model"), UNET("unet", "diffusion_pytorch_model"), VAE("vae", "diffusion_pytorch_model");

    public final String folder;
    /** File name stem inside the component folder, before ".safetensors" or ".fp16.safetensors". */
    public final String weightsStem;

    Component(String folder, String weightsStem) {
        this.folder = folder;
        this.weightsStem = weightsStem;
    }
}
