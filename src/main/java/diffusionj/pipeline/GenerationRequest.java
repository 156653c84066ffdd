package diffusionj.pipeline;

import diffusionj.sampling.Samplers;
import diffusionj.unet.SizeConditioning;

/**
 * Everything that determines a text-to-image result. Sizes are in pixels; {@code seed} −1 asks for a
 * random seed (the one used is reported in the result). Image i of a batch uses seed + i, as the web UIs do.
 * {@code guidanceScale} {@link #MODEL_GUIDANCE} and a width or height of 0 ask for the model family's own (SDXL: 5 and
 * 1024; SD 1.x/2.x: 7.5 and the size it was trained at). {@code sizes} is SDXL's size conditioning (other families
 * have none and ignore it); {@code schedule} places the sampler's timesteps ("" = as the model's scheduler config
 * says; leading, trailing, sgm_uniform: the web UIs' "schedule type", for few-step models).
 */
public record GenerationRequest(String prompt, String negativePrompt, String sampler, int steps, double guidanceScale,
                                long seed, int width, int height, int batchSize, int clipSkip, SizeConditioning sizes, String schedule,
                                HiresFix hires) {
    /** The guidance scale that stands for the model family's default. */
    public static final double MODEL_GUIDANCE = Double.NaN;
    public static final java.util.List<String> SCHEDULES = java.util.List.of("leading", "trailing", "sgm_uniform");

    public GenerationRequest(String prompt, String negativePrompt, String sampler, int steps, double guidanceScale,
                             long seed, int width, int height, int batchSize, int clipSkip) {
        this(prompt, negativePrompt, sampler, steps, guidanceScale, seed, width, height, batchSize, clipSkip, SizeConditioning.DEFAULT, "", HiresFix.NONE);
    }
    public static final int MIN_SIZE = 64;
    public static final int MAX_SIZE = 2048;
    public static final int MAX_STEPS = 150;
    public static final double MAX_GUIDANCE = 30;
    public static final int MAX_BATCH = 16;
    public static final int MAX_CLIP_SKIP = 12;

    /** A prompt with the web UIs' defaults: Euler a, 20 steps, random seed, and the model family's CFG scale and size. */
    public static GenerationRequest of(String prompt) {
        return new GenerationRequest(prompt, "", "euler_ancestral", 20, MODEL_GUIDANCE, -1, 0, 0, 1, 1);
    }

    public GenerationRequest withSeed(long newSeed) {
        return new GenerationRequest(prompt, negativePrompt, sampler, steps, guidanceScale, newSeed, width, height, batchSize, clipSkip, sizes, schedule, hires);
    }

    /** SDXL's size conditioning and the schedule type, the rest unchanged. */
    public GenerationRequest with(SizeConditioning newSizes, String newSchedule) {
        return new GenerationRequest(prompt, negativePrompt, sampler, steps, guidanceScale, seed, width, height, batchSize, clipSkip, newSizes,
                newSchedule, hires);
    }

    /** The hires fix (second pass), the rest unchanged. */
    public GenerationRequest with(HiresFix newHires) {
        return new GenerationRequest(prompt, negativePrompt, sampler, steps, guidanceScale, seed, width, height, batchSize, clipSkip, sizes,
                schedule, newHires);
    }

    /** {@link #MODEL_GUIDANCE} and sizes of 0 replaced by the model's own. */
    public GenerationRequest withModelDefaults(double modelGuidance, int modelSize) {
        return new GenerationRequest(prompt, negativePrompt, sampler, steps, Double.isNaN(guidanceScale) ? modelGuidance : guidanceScale, seed,
                width == 0 ? modelSize : width, height == 0 ? modelSize : height, batchSize, clipSkip, sizes, schedule, hires);
    }

    /**
     * Checks every field against the range the engine supports. Sizes go to 2048 (a 2048² SD 1.5 step needs
     * about 20 GB on the CPU); 150 steps is more than any sampler profits from.
     */
    public void validate() {
        if (prompt == null || prompt.isBlank()) {
            throw new GenerationException("the prompt is empty: describe what to generate");
        }
        if (!Samplers.NAMES.contains(sampler)) {
            throw new GenerationException("unknown sampler '" + sampler + "'; choose one of " + String.join(", ", Samplers.NAMES));
        }
        checkRange("steps", steps, 1, sampler.equals("lcm") ? 50 : MAX_STEPS);
        if (!(guidanceScale >= 0 && guidanceScale <= MAX_GUIDANCE)) {
            throw new GenerationException("CFG scale must be between 0 and " + MAX_GUIDANCE + ", got " + guidanceScale);
        }
        checkSize("width", width);
        checkSize("height", height);
        checkRange("batch size", batchSize, 1, MAX_BATCH);
        checkRange("CLIP skip", clipSkip, 1, MAX_CLIP_SKIP);
        if (schedule == null || !(schedule.isEmpty() || SCHEDULES.contains(schedule))) {
            throw new GenerationException("unknown schedule type '" + schedule + "'; choose one of " + String.join(", ", SCHEDULES)
                    + " (or none for the model's own)");
        }
        if (sizes == null) {
            throw new GenerationException("the size conditioning is missing (use SizeConditioning.DEFAULT)");
        }
        checkRange("original width", sizes.originalWidth(), 0, 4 * MAX_SIZE);
        checkRange("original height", sizes.originalHeight(), 0, 4 * MAX_SIZE);
        checkRange("crop left", sizes.cropLeft(), 0, 4 * MAX_SIZE);
        checkRange("crop top", sizes.cropTop(), 0, 4 * MAX_SIZE);
        if (hires == null) {
            throw new GenerationException("the hires fix is missing (use HiresFix.NONE)");
        }
        hires.validate(this);
        if (seed < -1 || seed > 0xFFFFFFFFL) {
            throw new GenerationException("seed must be between 0 and 4294967295 (or -1 for random), got " + seed);
        }
    }

    static void checkRange(String what, long value, long min, long max) {
        if (value < min || value > max) {
            throw new GenerationException(what + " must be between " + min + " and " + max + ", got " + value);
        }
    }

    private static void checkSize(String what, int value) {
        checkRange(what, value, MIN_SIZE, MAX_SIZE);
        if (value % 8 != 0) {
            throw new GenerationException(what + " must be a multiple of 8 (the autoencoder works on 8×8 pixel blocks), got " + value);
        }
    }
}
