package diffusionj.scijava;

import java.nio.file.Path;

/**
 * A Stable Diffusion model as the user chose it: a diffusers folder, or a single {@code .safetensors} file
 * with the tokenizer folder it needs (null when the file has a companion folder next to it).
 */
public record ModelChoice(Path model, Path tokenizer) {
    public ModelChoice {
        if (model == null) {
            throw new IllegalArgumentException("no model chosen: set one in Plugins › DiffusionJ › Model Manager...");
        }
        model = model.toAbsolutePath().normalize();
        tokenizer = tokenizer == null ? null : tokenizer.toAbsolutePath().normalize();
    }

    public static ModelChoice of(String model, String tokenizer) {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("no model chosen: set one in Plugins › DiffusionJ › Model Manager... or give model=[path]");
        }
        return new ModelChoice(Path.of(model.strip()), tokenizer == null || tokenizer.isBlank() ? null : Path.of(tokenizer.strip()));
    }
}
