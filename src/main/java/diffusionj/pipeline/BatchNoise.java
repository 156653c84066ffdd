package diffusionj.pipeline;

import diffusionj.sampling.NoiseSource;
import diffusionj.sampling.SeededNoise;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * Noise for a batch in which image i has its own generator seeded with seed + i (the web UIs' convention),
 * so any image of a batch can be re-made alone from its reported seed.
 */
final class BatchNoise implements NoiseSource {
    private final SeededNoise[] perImage;

    BatchNoise(long seed, int batch) {
        perImage = new SeededNoise[batch];
        for (int i = 0; i < batch; i++) {
            perImage[i] = new SeededNoise(seed + i);
        }
    }

    @Override
    public INDArray gaussian(long... shape) {
        if (shape[0] != perImage.length) {
            throw new IllegalArgumentException("noise for a batch of " + perImage.length + " asked with shape " + Arrays.toString(shape));
        }
        long[] one = shape.clone();
        one[0] = 1;
        INDArray[] parts = new INDArray[perImage.length];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = perImage[i].gaussian(one);
        }
        return parts.length == 1 ? parts[0] : Nd4j.concat(0, parts);
    }
}
