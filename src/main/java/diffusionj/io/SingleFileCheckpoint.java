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
        SingleFileConfigs configs = new SingleFileConfigs(family, tokenizerDir.toAbsolutePath().getParent());
        return switch (component) {
            case TEXT_ENCODER -> configs.textEncoder(weights(component));
            case UNET -> configs.unet(weights(component));
            case VAE -> configs.vae(weights(component));
            case SCHEDULER -> configs.scheduler();
        };
    }

    @Override
    public WeightSource weights(Component component) {
        Map<String, WeightSource.StoredAs> keys = switch (component) {
            case TEXT_ENCODER -> family == ModelFamily.SD1
                    ? LdmKeys.sd1TextEncoder(file.names())
                    : LdmKeys.sd2TextEncoder(file.names(), LdmKeys.openClipBlocks(file.names()) - 1);
            case UNET -> LdmKeys.unet(file.names());
            case VAE -> LdmKeys.vae(file.names());
            case SCHEDULER -> throw new IllegalArgumentException("the scheduler has no weights");
        };
        if (keys.isEmpty()) {
            throw new CheckpointException(file.file() + " holds no " + component.folder + " weights");
        }
        return new WeightSource(file, component.folder, keys);
    }

    @Override
    public void close() {
        file.close();
    }
}
