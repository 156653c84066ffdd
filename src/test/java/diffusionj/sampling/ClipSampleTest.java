package diffusionj.sampling;

import com.google.gson.JsonObject;
import diffusionj.io.StableDiffusionSchedule;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** clip_sample bounds the predicted clean sample of DDIM, as diffusers' DDIMScheduler does; SD's configs leave it off. */
class ClipSampleTest {
    private static NoiseSchedule schedule(boolean clip) {
        JsonObject c = StableDiffusionSchedule.config("epsilon");
        c.addProperty("clip_sample", clip);
        c.addProperty("clip_sample_range", 1.0);
        return NoiseSchedule.fromConfig(c);
    }

    @Test
    void ddimStepsFromTheClippedEstimateWithTheModelsOwnNoise() {
        NoiseSchedule clipped = schedule(true);
        Sampler ddim = Samplers.create("ddim", clipped, 10);
        int t = (int) ddim.timesteps()[0];
        int prev = (int) ddim.timesteps()[1];
        double a = clipped.alphaCumprod(t);
        double ap = clipped.alphaCumprod(prev);
        INDArray sample = Nd4j.createFromArray(new float[]{0.5f, -0.5f, 0.01f}).reshape(1, 3, 1, 1);
        INDArray eps = Nd4j.createFromArray(new float[]{-0.2f, 0.3f, 0f}).reshape(1, 3, 1, 1);
        INDArray next = ddim.step(eps, 0, sample, null);
        float[] s = sample.data().asFloat();
        float[] e = eps.data().asFloat();
        for (int i = 0; i < 3; i++) {
            double x0 = (s[i] - Math.sqrt(1 - a) * e[i]) / Math.sqrt(a);
            double expected = Math.sqrt(ap) * Math.max(-1, Math.min(1, x0)) + Math.sqrt(1 - ap) * e[i];
            assertEquals(expected, next.getDouble(i), 1e-5, "element " + i + " (x̂₀ = " + x0 + ")");
        }
    }

    @Test
    void withoutClipSampleTheEstimateIsUnbounded() {
        INDArray sample = Nd4j.valueArrayOf(new long[]{1, 1, 1, 1}, 3.0f, DataType.FLOAT);
        INDArray zero = Nd4j.zeros(DataType.FLOAT, 1, 1, 1, 1);
        assertEquals(6.0, schedule(false).predictedOriginal(zero, sample, 0.25).getDouble(0), 1e-6);
        assertEquals(1.0, schedule(true).predictedOriginal(zero, sample, 0.25).getDouble(0), 1e-6);
    }
}
