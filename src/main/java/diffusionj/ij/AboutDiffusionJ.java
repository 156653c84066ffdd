package diffusionj.ij;

import ij.IJ;
import ij.plugin.PlugIn;

/** Plugins › DiffusionJ › About DiffusionJ. */
public class AboutDiffusionJ implements PlugIn {
    static final String TEXT = "DiffusionJ " + version() + "\n"
            + "Stable Diffusion 1.x/2.x for ImageJ and Fiji, on the CPU:\n"
            + "image generation, per-token attention maps and caption completion.\n"
            + "Models: diffusers folders and single-file .safetensors checkpoints.\n"
            + "Pickle checkpoints (.ckpt) are never opened: they can execute code.";

    @Override
    public void run(String arg) {
        IJ.showMessage("About DiffusionJ", TEXT);
    }

    static String version() {
        String v = AboutDiffusionJ.class.getPackage().getImplementationVersion();
        return v == null ? "(development build)" : v;
    }
}
