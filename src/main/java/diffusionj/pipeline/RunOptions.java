package diffusionj.pipeline;

import diffusionj.sampling.NoiseSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Ways to reproduce a run exactly, beyond its request: a given starting latent [batch, 4, h, w] (before the
 * sampler's initial σ scaling), a given noise source, and an observer of each step's latent.
 */
public record RunOptions(INDArray initLatent, NoiseSource noise, StepObserver observer) {
    public static final RunOptions NONE = new RunOptions(null, null, null);

    /** Sees the latent after every UNet call. */
    public interface StepObserver {
        void afterStep(int index, INDArray latent);
    }
}
