package diffusionj.sampling;

import diffusionj.io.Safetensors;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Replays recorded noise tensors in order (the reference's {@code noise00}, {@code noise01}, …). */
public final class ReplayedNoise implements NoiseSource {
    private final List<INDArray> recorded;
    private int next;

    public ReplayedNoise(List<INDArray> recorded) {
        this.recorded = recorded;
    }

    /** The key of the i-th recorded tensor: {@code noise00}, {@code noise01}, … */
    public static String key(int i) {
        return String.format("noise%02d", i);
    }

    /** Every {@code noiseNN} tensor of a file, in order (none is fine: deterministic samplers draw nothing). */
    public static ReplayedNoise from(Safetensors file) {
        List<INDArray> noise = new ArrayList<>();
        for (int i = 0; file.contains(key(i)); i++) {
            noise.add(file.load(key(i)));
        }
        return new ReplayedNoise(noise);
    }

    @Override
    public INDArray gaussian(long... shape) {
        if (next >= recorded.size()) {
            throw new IllegalStateException("the sampler asked for noise #" + next + " but only " + recorded.size() + " were recorded");
        }
        INDArray n = recorded.get(next++);
        if (!Arrays.equals(n.shape(), shape)) {
            throw new IllegalStateException("recorded noise #" + (next - 1) + " has shape " + Arrays.toString(n.shape())
                    + ", the sampler needs " + Arrays.toString(shape));
        }
        return n.dup();
    }

    public int consumed() {
        return next;
    }
}
