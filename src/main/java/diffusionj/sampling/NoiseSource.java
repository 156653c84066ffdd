package diffusionj.sampling;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Every random tensor of a generation is drawn here, in order, so a seed (or a recording) fixes the result. */
public interface NoiseSource {
    /** Standard normal noise of the given shape. */
    INDArray gaussian(long... shape);
}
