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
}
