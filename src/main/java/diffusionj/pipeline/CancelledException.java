package diffusionj.pipeline;

/** The user stopped a generation; thrown between steps, so nothing half-made is returned. */
public class CancelledException extends RuntimeException {
    public CancelledException(int stepsDone, int steps) {
        super("cancelled after step " + stepsDone + " of " + steps);
    }
}
