package diffusionj.io;

import com.google.gson.JsonObject;

/**
 * The training noise schedule every SD 1.x/2.x release shares (scaled-linear β from 0.00085 to 0.012 over
 * 1000 steps), as a diffusers {@code scheduler_config.json}: for single files, which carry none, and for the
 * models trained here, so every sampler of the engine applies to them unchanged.
 */
public final class StableDiffusionSchedule {
    private StableDiffusionSchedule() {
    }

    /** @param prediction a {@code prediction_type}: "epsilon" or "v_prediction" for SD, "sample" for the models trained here */
    public static JsonObject config(String prediction) {
        return config("DDIMScheduler", prediction);
    }

    /**
     * SDXL base 1.0's own {@code scheduler_config.json}: the same schedule under EulerDiscreteScheduler, whose stated
     * "leading" spacing then places every sampler's timesteps (as diffusers loads SDXL single files).
     */
    public static JsonObject sdxl() {
        return config("EulerDiscreteScheduler", "epsilon");
    }

    private static JsonObject config(String className, String prediction) {
        JsonObject c = new JsonObject();
        c.addProperty("_class_name", className);
        c.addProperty("num_train_timesteps", 1000);
        c.addProperty("beta_start", 0.00085);
        c.addProperty("beta_end", 0.012);
        c.addProperty("beta_schedule", "scaled_linear");
        c.addProperty("steps_offset", 1);
        c.addProperty("timestep_spacing", "leading");
        c.addProperty("set_alpha_to_one", false);
        c.addProperty("clip_sample", false);
        c.addProperty("prediction_type", prediction);
        return c;
    }
}
