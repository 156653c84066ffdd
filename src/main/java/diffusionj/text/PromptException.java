package diffusionj.text;

/** A prompt that cannot be read: the message quotes the offending part. */
public class PromptException extends RuntimeException {
    public PromptException(String message) {
        super(message);
    }
}
