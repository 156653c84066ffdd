package diffusionj.io;

import com.google.gson.JsonObject;

import java.io.Closeable;
import java.nio.file.Path;

/**
 * An opened Stable Diffusion model, whatever its file form: the weights of each component under diffusers
 * names, a diffusers-style config per component, and the CLIP tokenizer folder.
 */
public interface Checkpoint extends Closeable {
    Path path();

    ModelFamily family();

    Path tokenizerDir();

    /** The component's {@code config.json}, or one inferred from tensor shapes for a single file. */
    JsonObject config(Component component);

    WeightSource weights(Component component);

    @Override
    void close();
}
