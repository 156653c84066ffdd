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

    /**
     * The family from the text towers' keys: SD 1.x keeps Hugging Face's CLIP names, SD 2.x OpenCLIP's, SDXL has
     * its two towers under {@code conditioner.embedders.*}. Families and variants DiffusionJ cannot run yet are
     * named, not met later as a shape error inside a graph.
     */
    private ModelFamily detectFamily() {
        boolean sd1 = false;
        boolean sd2 = false;
        boolean sdxl = false;
        for (String key : file.names()) {
            sd1 |= key.startsWith(LdmKeys.SD1_TEXT_PREFIX + "text_model.");
            sd2 |= key.startsWith(LdmKeys.SD2_TEXT_PREFIX + "transformer.resblocks.");
            sdxl |= key.startsWith(LdmKeys.SDXL_PREFIX);
            if (key.contains("joint_blocks.")) {
                throw notSupported("SD 3", "key '" + key + "'");
            }
            if (key.contains("double_blocks.")) {
                throw notSupported("Flux", "key '" + key + "'");
            }
        }
        if (sdxl) {
            if (!file.contains(LdmKeys.SDXL_TEXT_PREFIX + "text_model.embeddings.token_embedding.weight")) {
                throw notSupported("SDXL refiner", "its only text tower is OpenCLIP ('" + LdmKeys.SDXL_PREFIX + "0.model.*')");
            }
            return checkInputChannels(ModelFamily.SDXL);
        }
        if (sd1 == sd2) {
            throw new CheckpointException(file.file() + " is not a Stable Diffusion checkpoint: it has "
                    + (sd1 ? "both" : "neither") + " an SD 1.x text encoder ('" + LdmKeys.SD1_TEXT_PREFIX + "text_model.*') "
                    + (sd1 ? "and" : "nor") + " an SD 2.x one ('" + LdmKeys.SD2_TEXT_PREFIX + "transformer.resblocks.*'),"
                    + " and no SDXL text towers ('" + LdmKeys.SDXL_PREFIX + "*'). LoRA, embedding and VAE-only files are not full models.");
        }
        return checkInputChannels(sd1 ? ModelFamily.SD1 : ModelFamily.SD2);
    }

    /**
     * Inpainting (9) and instruct-pix2pix (8) variants take more channels at {@code conv_in} than the latent's
     * they predict at {@code out.2}.
     */
    private ModelFamily checkInputChannels(ModelFamily family) {
        String convIn = LdmKeys.UNET_PREFIX + "input_blocks.0.0.weight";
        String convOut = LdmKeys.UNET_PREFIX + "out.2.weight";
        if (file.contains(convIn) && file.contains(convOut)) {
            long channels = file.info(convIn).shape()[1];
            if (channels != file.info(convOut).shape()[0]) {
                throw notSupported(ModelFamily.variant(family, channels), "'" + convIn + "' takes " + channels + " input channels, '" + convOut + "' gives "
                        + file.info(convOut).shape()[0]);
            }
        }
        return family;
    }

    private CheckpointException notSupported(String what, String evidence) {
        return CheckpointException.notSupported(file.file(), what, evidence);
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
            case TEXT_ENCODER, TEXT_ENCODER_2 -> configs.textEncoder(component, weights(component));
            case UNET -> configs.unet(weights(component));
            case VAE -> configs.vae(weights(component));
            case SCHEDULER -> configs.scheduler();
        };
    }

    @Override
    public WeightSource weights(Component component) {
        Map<String, WeightSource.StoredAs> keys = switch (component) {
            case TEXT_ENCODER -> switch (family) {
                case SD1 -> LdmKeys.clipTextEncoder(file.names(), LdmKeys.SD1_TEXT_PREFIX);
                case SD2 -> LdmKeys.openClipTextEncoder(file.names(), LdmKeys.SD2_TEXT_PREFIX,
                        LdmKeys.openClipBlocks(file.names(), LdmKeys.SD2_TEXT_PREFIX) - 1);
                case SDXL -> LdmKeys.clipTextEncoder(file.names(), LdmKeys.SDXL_TEXT_PREFIX);
            };
            case TEXT_ENCODER_2 -> family == ModelFamily.SDXL
                    ? LdmKeys.openClipTextEncoder(file.names(), LdmKeys.SDXL_TEXT_2_PREFIX, LdmKeys.openClipBlocks(file.names(), LdmKeys.SDXL_TEXT_2_PREFIX))
                    : Map.of();
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
