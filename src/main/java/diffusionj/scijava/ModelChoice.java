package diffusionj.scijava;

import diffusionj.io.EmbeddedModel;

import java.nio.file.Path;

/**
 * A Stable Diffusion model as the user chose it: a diffusers folder, or a single {@code .safetensors} file
 * with the tokenizer folder it needs (null when the file has a companion folder next to it), or the
 * embedded model that ships in the jar.
 */
public record ModelChoice(Path model, Path tokenizer) {
    public ModelChoice {
        if (model == null) {
            throw new IllegalArgumentException("no model chosen: set one in Plugins › DiffusionJ › Model Manager...");
        }
        model = model.toAbsolutePath().normalize();
        tokenizer = tokenizer == null ? null : tokenizer.toAbsolutePath().normalize();
    }

    /** A path, or "embedded" (also what an empty field means). */
    public static ModelChoice of(String model, String tokenizer) {
        return new ModelChoice(EmbeddedModel.resolve(model), tokenizer == null || tokenizer.isBlank() ? null : Path.of(tokenizer.strip()));
    }

    /** How the choice is shown and remembered: "embedded" for ours (its cache folder may move), else the path. */
    public String label() {
        return EmbeddedModel.isEmbedded(model) ? EmbeddedModel.NAME : model.toString();
    }
}
