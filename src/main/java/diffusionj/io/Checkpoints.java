package diffusionj.io;

import java.nio.file.Files;
import java.nio.file.Path;

/** Opens a model from what a user points at: a diffusers folder or a single {@code .safetensors} file. */
public final class Checkpoints {
    private Checkpoints() {
    }

    /**
     * @param tokenizerDir a CLIP tokenizer folder for single files, or null to look next to the file;
     *                     for a diffusers folder it replaces the folder's own tokenizer when given.
     */
    public static Checkpoint open(Path model, Path tokenizerDir) {
        if (tokenizerDir != null && !(Files.isRegularFile(tokenizerDir.resolve("vocab.json")) && Files.isRegularFile(tokenizerDir.resolve("merges.txt")))) {
            throw new CheckpointException("tokenizer folder " + tokenizerDir + " must contain vocab.json and merges.txt");
        }
        if (Files.isDirectory(model)) {
            return new ModelFolder(model, tokenizerDir);
        }
        if (!Files.exists(model)) {
            throw new CheckpointException("model not found: " + model);
        }
        PickleGuard.refuseByName(model);
        return new SingleFileCheckpoint(model, tokenizerDir);
    }
}
