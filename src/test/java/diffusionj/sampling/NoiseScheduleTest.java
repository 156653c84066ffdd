package diffusionj.sampling;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import diffusionj.io.StableDiffusionSchedule;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cosine β schedule and the timestep spacings of a scheduler config, against their closed forms. */
class NoiseScheduleTest {
    private static NoiseSchedule schedule(String betas, String spacing) {
        JsonObject c = StableDiffusionSchedule.config("v_prediction");
        c.addProperty("beta_schedule", betas);
        c.addProperty("timestep_spacing", spacing);
        c.addProperty("steps_offset", 0);
        return NoiseSchedule.fromConfig(c);
    }

    private static double cosineAlphaBar(double s) {
        double c = Math.cos((s + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    @Test
    void cosineScheduleTelescopesToTheClosedFormAndEndsWithTheCappedBeta() {
        NoiseSchedule s = schedule("squaredcos_cap_v2", "trailing");
        // Π (1 − β_i) for i ≤ t telescopes to ᾱ((t+1)/T)/ᾱ(0) while no β is capped.
        for (int t : new int[]{0, 1, 250, 499, 900, 990}) {
            double expected = cosineAlphaBar((t + 1) / 1000.0) / cosineAlphaBar(0);
            assertEquals(expected, s.alphaCumprod(t), 1e-5 * expected + 1e-9, "ᾱ_" + t);
        }
        assertEquals(s.alphaCumprod(998) * 0.001, s.alphaCumprod(999), 1e-3 * s.alphaCumprod(999), "β_999 is capped at 0.999");
        assertTrue(Math.sqrt(s.alphaCumprod(999)) < 1e-4, "the noisiest step keeps no visible trace of the image");
    }

    @Test
    void trailingSpacingStartsAtTheLastTrainingStep() {
        NoiseSchedule s = schedule("squaredcos_cap_v2", "trailing");
        // diffusers: round(arange(T, 0, −T/N)) − 1.
        assertArrayEquals(new double[]{999, 666, 332}, s.stridedTimesteps(3));
        double[] twenty = s.stridedTimesteps(20);
        assertEquals(999, twenty[0]);
        assertEquals(49, twenty[19]);
    }

    @Test
    void leadingSpacingIsStableDiffusions() {
        JsonObject c = StableDiffusionSchedule.config("epsilon");
        double[] t = NoiseSchedule.fromConfig(c).stridedTimesteps(20);
        assertEquals(951, t[0]);
        assertEquals(1, t[19]);
    }

    /** diffusers' DPM-Solver: np.linspace(0, 999, N + 1).round()[::-1][:-1], numpy rounding halves to even. */
    @Test
    void dpmSolversLinspacePointsRoundHalvesToEvenAsNumpy() {
        NoiseSchedule s = schedule("scaled_linear", "linspace");
        assertArrayEquals(new double[]{999, 832, 666, 500, 333, 166}, s.dpmSolverTimesteps(6));
        double[] eighteen = s.dpmSolverTimesteps(18);
        assertEquals(944, eighteen[1]); // 943.5
        assertEquals(832, eighteen[3]); // 832.5
    }

    @Test
    void linspaceSpacingRoundsEvenlySpacedPoints() {
        assertArrayEquals(new double[]{999, 500, 0}, schedule("scaled_linear", "linspace").stridedTimesteps(3));
    }

    @Test
    void trainedBetasReplaceTheNamedSchedule() {
        JsonObject c = StableDiffusionSchedule.config("epsilon");
        JsonArray betas = new JsonArray();
        for (int t = 0; t < 1000; t++) {
            betas.add(t < 500 ? 0.001f : 0.002f);
        }
        c.add("trained_betas", betas);
        NoiseSchedule s = NoiseSchedule.fromConfig(c);
        assertEquals(Math.pow(0.999, 500) * Math.pow(0.998, 500), s.alphaCumprod(999), 1e-5);
        betas.set(7, new JsonPrimitive(1.5));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NoiseSchedule.fromConfig(c));
        assertTrue(e.getMessage().contains("trained_betas[7] = 1.5"), e.getMessage());
    }

    @Test
    void theLastDdimStepLandsOnAlphaOneWhenTheConfigSaysSo() {
        JsonObject c = StableDiffusionSchedule.config("v_prediction");
        assertEquals(NoiseSchedule.fromConfig(c).alphaCumprod(0), NoiseSchedule.fromConfig(c).alphaCumprodBefore(-49));
        c.addProperty("set_alpha_to_one", true);
        assertEquals(1.0, NoiseSchedule.fromConfig(c).alphaCumprodBefore(-49));
    }

    @Test
    void unknownSpacingIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> schedule("scaled_linear", "quadratic"));
        assertTrue(e.getMessage().contains("timestep_spacing 'quadratic'"), e.getMessage());
    }
}
