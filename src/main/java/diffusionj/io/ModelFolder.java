package diffusionj.io;

import com.google.gson.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * A diffusers model folder: {@code model_index.json} and one sub-folder per component, each with a
 * {@code config.json} and its weights as {@code <stem>.safetensors} or the {@code <stem>.fp16.safetensors}
 * variant.
 */
public final class ModelFolder implements Checkpoint {
    private final Path dir;
    private final Path tokenizerDir;
    private final Map<Component, Safetensors> opened = new EnumMap<>(Component.class);

    ModelFolder(Path dir, Path tokenizerOverride) {
        this.dir = dir;
        this.tokenizerDir = tokenizerOverride != null ? tokenizerOverride : dir.resolve("tokenizer");
        if (!Files.isRegularFile(dir.resolve("model_index.json"))) {
            throw new CheckpointException(dir + " is not a diffusers model folder: it has no model_index.json");
        }
        JsonFiles.readObject(dir.resolve("model_index.json"));
    }

    @Override
    public Path path() {
        return dir;
    }

    /** diffusers folders carry no family tag; SD 2.x text towers are the ones with exact GELU. */
    @Override
    public ModelFamily family() {
        JsonObject text = config(Component.TEXT_ENCODER);
        return text.has("hidden_act") && text.get("hidden_act").getAsString().equals("gelu") ? ModelFamily.SD2 : ModelFamily.SD1;
    }

    @Override
    public Path tokenizerDir() {
        return tokenizerDir;
    }

    @Override
    public JsonObject config(Component component) {
        return JsonFiles.readObject(dir.resolve(component.folder).resolve(component.configFile));
    }

    @Override
    public synchronized WeightSource weights(Component component) {
        if (component.weightsStem == null) {
            throw new IllegalArgumentException(component + " has no weights");
        }
        Safetensors file = opened.computeIfAbsent(component, c -> Safetensors.open(weightsFile(c)));
        return WeightSource.identity(file, component.folder);
    }

    /** Full precision when present, else the fp16 variant; pickled weights are refused, never read. */
    Path weightsFile(Component component) {
        Path sub = dir.resolve(component.folder);
        for (String name : new String[]{component.weightsStem + ".safetensors", component.weightsStem + ".fp16.safetensors"}) {
            if (Files.isRegularFile(sub.resolve(name))) {
                return sub.resolve(name);
            }
        }
        for (String pickle : new String[]{"pytorch_model.bin", "diffusion_pytorch_model.bin", "pytorch_model.fp16.bin", "diffusion_pytorch_model.fp16.bin"}) {
            if (Files.isRegularFile(sub.resolve(pickle))) {
                throw PickleGuard.refusal(sub.resolve(pickle), "the folder has only .bin weights");
            }
        }
        throw new CheckpointException(sub + " has no " + component.weightsStem + ".safetensors (nor its .fp16 variant)");
    }

    @Override
    public synchronized void close() {
        opened.values().forEach(Safetensors::close);
        opened.clear();
    }
}
