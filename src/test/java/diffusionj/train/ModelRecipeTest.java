package diffusionj.train;

import com.google.gson.JsonObject;
import diffusionj.sampling.NoiseSchedule;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The schedule the models trained here use: the cosine schedule with its signal-to-noise ratio divided by 16. */
class ModelRecipeTest {
    private static double snr(NoiseSchedule s, int t) {
        return s.alphaCumprod(t) / (1 - s.alphaCumprod(t));
    }

    @Test
    void scheduleIsTheCosineScheduleShiftedToMoreNoise() {
        JsonObject recipe = ModelRecipe.schedule();
        NoiseSchedule shifted = NoiseSchedule.fromConfig(recipe);
        JsonObject plain = recipe.deepCopy();
        plain.remove("trained_betas");
        NoiseSchedule cosine = NoiseSchedule.fromConfig(plain);
        double factor = ModelRecipe.NOISE_SHIFT * ModelRecipe.NOISE_SHIFT;
        for (int t : new int[]{0, 10, 300, 700, 950, 999}) {
            assertEquals(snr(cosine, t) / factor, snr(shifted, t), 1e-3 * snr(shifted, t), "SNR at t = " + t);
        }
        assertTrue(Math.sqrt(shifted.alphaCumprod(999)) < 1e-4, "sampling starts from a step with no trace of the picture");
    }
}
