package diffusionj.pipeline;

/** Told about each finished sampler step (UNet call) and each stage of a generation. */
public interface ProgressListener {
    ProgressListener NONE = new ProgressListener() {
    };

    /** @param done UNet calls finished, of {@code total}; {@code seconds} since the denoising began */
    default void step(int done, int total, double seconds) {
    }

    default void stage(String what) {
    }
}
