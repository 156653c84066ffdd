package diffusionj.io;

/**
 * A model file or folder that cannot be used as it is. The message names the file, the tensor or key,
 * and what was expected versus found, so a user can act on it without a stack trace.
 */
public class CheckpointException extends RuntimeException {
    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A model of a family or variant DiffusionJ cannot run yet, named with what it was detected from. */
    static CheckpointException notSupported(java.nio.file.Path model, String what, String evidence) {
        return new CheckpointException(model + ": not supported yet: " + what + " (detected from " + evidence
                + "). DiffusionJ runs SD 1.x, SD 2.x and SDXL text-to-image models.");
    }
}
