package diffusionj.io;

import com.google.gson.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A single {@code .safetensors} checkpoint in the original CompVis/Stability layout, as the popular web UIs
 * load them. The family is detected from the text tower's keys; configs are inferred from tensor shapes;
 * the tokenizer, which such files do not carry, comes from a folder next to the file or one the user names.
 */
public final class SingleFileCheckpoint implements Checkpoint {
    private final Safetensors file;
    private final ModelFamily family;
    private final Path tokenizerDir;

    SingleFileCheckpoint(Path path, Path tokenizerOverride) {
        this.file = Safetensors.open(path);
        try {
            this.family = detectFamily();
            this.tokenizerDir = tokenizerOverride != null ? tokenizerOverride : findTokenizer(path);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    private ModelFamily detectFamily() {
        boolean sd1 = false;
        boolean sd2 = false;
        for (String key : file.names()) {
            sd1 |= key.startsWith(LdmKeys.SD1_TEXT_PREFIX + "text_model.");
            sd2 |= key.startsWith(LdmKeys.SD2_TEXT_PREFIX + "transformer.resblocks.");
            if (key.startsWith(LdmKeys.SDXL_PREFIX)) {
                throw new CheckpointException(file.file() + " is an SDXL checkpoint (keys '" + LdmKeys.SDXL_PREFIX + "*'); DiffusionJ runs SD 1.x and 2.x models");
            }
        }
        if (sd1 == sd2) {
            throw new CheckpointException(file.file() + " is not a Stable Diffusion 1.x/2.x checkpoint: it has "
                    + (sd1 ? "both" : "neither") + " an SD 1.x text encoder ('" + LdmKeys.SD1_TEXT_PREFIX + "text_model.*') "
                    + (sd1 ? "and" : "nor") + " an SD 2.x one ('" + LdmKeys.SD2_TEXT_PREFIX + "transformer.resblocks.*')."
                    + " LoRA, embedding and VAE-only files are not full models.");
        }
        return sd1 ? ModelFamily.SD1 : ModelFamily.SD2;
    }

    /** Candidates, in order: DIR/tokenizer, DIR/NAME/tokenizer, then the tokenizer of any diffusers folder in DIR. */
    private static Path findTokenizer(Path path) {
        Path dir = path.toAbsolutePath().getParent();
        String stem = path.getFileName().toString().replaceFirst("\\.safetensors$", "");
        List<Path> candidates = new ArrayList<>(List.of(dir.resolve("tokenizer"), dir.resolve(stem).resolve("tokenizer")));
        try (Stream<Path> siblings = Files.list(dir)) {
            siblings.filter(Files::isDirectory).sorted().forEach(d -> candidates.add(d.resolve("tokenizer")));
        } catch (IOException e) {
            throw new CheckpointException("cannot list " + dir + " to look for a tokenizer: " + e.getMessage(), e);
        }
        for (Path c : candidates) {
            if (Files.isRegularFile(c.resolve("vocab.json")) && Files.isRegularFile(c.resolve("merges.txt"))) {
                return c;
            }
        }
        throw new CheckpointException("No CLIP tokenizer found for " + path + ": a single-file checkpoint carries no vocabulary. Put a folder"
                + " 'tokenizer' with vocab.json and merges.txt next to the file (the tokenizer folder of the model's diffusers release),"
                + " or name one with --tokenizer DIR (in ImageJ: the Model Manager's tokenizer field).");
    }

    @Override
    public Path path() {
        return file.file();
    }

    @Override
    public ModelFamily family() {
        return family;
    }

    @Override
    public Path tokenizerDir() {
        return tokenizerDir;
    }

    @Override
    public JsonObject config(Component component) {
        if (component == Component.TEXT_ENCODER) {
            return inferTextEncoderConfig();
        }
        throw new CheckpointException(file.file() + ": the " + component.folder + " of single-file checkpoints is not supported by this version");
    }

    @Override
    public WeightSource weights(Component component) {
        if (component == Component.TEXT_ENCODER) {
            Map<String, WeightSource.StoredAs> keys = family == ModelFamily.SD1
                    ? LdmKeys.sd1TextEncoder(file.names())
                    : LdmKeys.sd2TextEncoder(file.names(), LdmKeys.openClipBlocks(file.names()) - 1);
            return new WeightSource(file, component.folder, keys);
        }
        throw new CheckpointException(file.file() + ": the " + component.folder + " of single-file checkpoints is not supported by this version");
    }

    /**
     * A Hugging Face CLIPTextConfig from shapes. The head count is not visible in any shape: it is taken
     * from a {@code text_encoder/config.json} beside the tokenizer folder when there is one, else from the
     * 64-wide heads of every released CLIP text tower (ViT-L/14: 768/12, OpenCLIP ViT-H: 1024/16).
     */
    private JsonObject inferTextEncoderConfig() {
        WeightSource w = weights(Component.TEXT_ENCODER);
        long[] tokens = w.shape("text_model.embeddings.token_embedding.weight");
        long width = tokens[1];
        int layers = 0;
        while (w.contains("text_model.encoder.layers." + layers + ".mlp.fc1.weight")) {
            layers++;
        }
        JsonObject c = new JsonObject();
        c.addProperty("vocab_size", tokens[0]);
        c.addProperty("hidden_size", width);
        c.addProperty("intermediate_size", w.shape("text_model.encoder.layers.0.mlp.fc1.weight")[0]);
        c.addProperty("num_hidden_layers", layers);
        c.addProperty("num_attention_heads", headCount(width));
        c.addProperty("max_position_embeddings", w.shape("text_model.embeddings.position_embedding.weight")[0]);
        c.addProperty("hidden_act", family == ModelFamily.SD1 ? "quick_gelu" : "gelu");
        c.addProperty("layer_norm_eps", 1e-5);
        return c;
    }

    private long headCount(long width) {
        Path config = tokenizerDir.getParent() == null ? null : tokenizerDir.getParent().resolve("text_encoder").resolve("config.json");
        if (config != null && Files.isRegularFile(config)) {
            JsonObject c = JsonFiles.readObject(config);
            if (c.has("num_attention_heads") && c.has("hidden_size") && c.get("hidden_size").getAsLong() == width) {
                return c.get("num_attention_heads").getAsLong();
            }
        }
        if (width % 64 != 0) {
            throw new CheckpointException(file.file() + ": text encoder width " + width + " is not a multiple of 64, so its head count cannot be"
                    + " inferred; put the model's text_encoder/config.json next to its tokenizer folder");
        }
        return width / 64;
    }

    @Override
    public void close() {
        file.close();
    }
}
