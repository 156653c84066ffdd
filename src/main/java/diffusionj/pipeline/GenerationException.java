package diffusionj.pipeline;

/** A generation that cannot run as asked: the message names the parameter, its value and the allowed range. */
public class GenerationException extends RuntimeException {
    public GenerationException(String message) {
        super(message);
    }
}
