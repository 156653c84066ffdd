package diffusionj.sampling;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Gaussian noise from a seed, drawn as {@code torch.randn} draws float32 tensors on PyTorch's CPU generator
 * (MT19937; uniforms from the low 24 bits; Box–Muller over blocks of 16, the last 16 values redrawn when the
 * size is not a multiple of 16). A seed therefore gives the same starting latent as diffusers on the CPU.
 * Tensors of fewer than 16 values (never a latent) use plain Box–Muller on the same stream.
 */
public final class SeededNoise implements NoiseSource {
    private final MersenneTwister random;

    public SeededNoise(long seed) {
        this.random = new MersenneTwister(seed);
    }

    @Override
    public INDArray gaussian(long... shape) {
        long count = 1;
        for (long d : shape) {
            count *= d;
        }
        float[] data = new float[Math.toIntExact(count)];
        if (data.length >= 16) {
            fillTorchStyle(data);
        } else {
            for (int i = 0; i < data.length; i++) {
                double u1 = 1 - uniform();
                double u2 = uniform();
                data[i] = (float) (Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
            }
        }
        return Nd4j.create(data, shape, 'c');
    }

    private void fillTorchStyle(float[] data) {
        for (int i = 0; i < data.length; i++) {
            data[i] = uniform();
        }
        for (int i = 0; i + 16 <= data.length; i += 16) {
            boxMuller16(data, i);
        }
        if (data.length % 16 != 0) {
            int start = data.length - 16;
            for (int i = 0; i < 16; i++) {
                data[start + i] = uniform();
            }
            boxMuller16(data, start);
        }
    }

    private static void boxMuller16(float[] data, int at) {
        for (int j = 0; j < 8; j++) {
            float u1 = 1 - data[at + j];
            float u2 = data[at + j + 8];
            float radius = (float) Math.sqrt(-2 * (float) Math.log(u1));
            float theta = (float) (2.0 * Math.PI * u2);
            data[at + j] = radius * (float) Math.cos(theta);
            data[at + j + 8] = radius * (float) Math.sin(theta);
        }
    }

    /** A float in [0, 1) from the low 24 bits of one 32-bit draw. */
    private float uniform() {
        return (random.nextInt() & 0xFFFFFF) * 0x1p-24f;
    }
}
