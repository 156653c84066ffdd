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

    /**
     * SDXL folders name their pipeline class and have a second text tower; SD 1.x and 2.x folders differ only in
     * the text tower: 2.x is the one with exact GELU. Families and variants DiffusionJ cannot run yet are named.
     */
    @Override
    public ModelFamily family() {
        String pipeline = pipelineClass();
        if (pipeline.startsWith("StableDiffusion3") || pipeline.startsWith("Flux")) {
            throw notSupported(pipeline.startsWith("Flux") ? "Flux" : "SD 3", "model_index.json: " + pipeline);
        }
        boolean secondTower = Files.isDirectory(dir.resolve(Component.TEXT_ENCODER_2.folder));
        if (secondTower && !Files.isDirectory(dir.resolve(Component.TEXT_ENCODER.folder))) {
            throw notSupported("SDXL refiner", "text_encoder_2 without text_encoder");
        }
        ModelFamily family;
        if (secondTower || pipeline.startsWith("StableDiffusionXL")) {
            family = ModelFamily.SDXL;
        } else {
            JsonObject text = config(Component.TEXT_ENCODER);
            family = text.has("hidden_act") && text.get("hidden_act").getAsString().equals("gelu") ? ModelFamily.SD2 : ModelFamily.SD1;
        }
        JsonObject unet = config(Component.UNET);
        long channels = unet.get("in_channels").getAsLong();
        if (channels != unet.get("out_channels").getAsLong()) {
            throw notSupported(ModelFamily.variant(family, channels), "unet/config.json: in_channels " + channels);
        }
        return family;
    }

    private String pipelineClass() {
        JsonObject index = JsonFiles.readObject(dir.resolve("model_index.json"));
        return index.has("_class_name") ? index.get("_class_name").getAsString() : "";
    }

    private CheckpointException notSupported(String what, String evidence) {
        return CheckpointException.notSupported(dir, what, evidence);
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
