package diffusionj.pipeline;

import java.util.Arrays;

/**
 * What a word-map run of an existing image does ({@link WordMapping}): the prompt that describes the image, the
 * timesteps it is noised to, how many noise draws are averaged (draw k uses seed + k), how many DDIM steps run from
 * each timestep, and the CFG scale of those steps (≤ 1: the prompt alone; it matters only from the second step on,
 * since the prompt's own attention does not depend on the negative half). Defaults: see BENCHMARKS.md, "Word maps of
 * drawn scenes", where they were chosen.
 */
public record WordMapSettings(String prompt, String negativePrompt, int[] timesteps, int draws, int steps, double guidance,
                              long seed, int clipSkip) {
    public static final int[] DEFAULT_TIMESTEPS = {200, 400};
    public static final int DEFAULT_DRAWS = 2;
    public static final int DEFAULT_STEPS = 1;
    public static final double DEFAULT_GUIDANCE = 1;
    public static final int MAX_DRAWS = 32;
    public static final int MAX_STEPS = 20;

    /** The measured defaults for a prompt, seed 0. */
    public static WordMapSettings of(String prompt) {
        return new WordMapSettings(prompt, "", DEFAULT_TIMESTEPS, DEFAULT_DRAWS, DEFAULT_STEPS, DEFAULT_GUIDANCE, 0, 1);
    }

    public WordMapSettings withSeed(long newSeed) {
        return new WordMapSettings(prompt, negativePrompt, timesteps, draws, steps, guidance, newSeed, clipSkip);
    }

    /** "200,400" → {200, 400}, naming what is wrong otherwise. */
    public static int[] parseTimesteps(String text) {
        try {
            int[] t = Arrays.stream(text.split(",")).map(String::strip).mapToInt(Integer::parseInt).toArray();
            if (t.length > 0) {
                return t;
            }
        } catch (NumberFormatException e) {
            // named below
        }
        throw new GenerationException("timesteps must be whole numbers separated by commas (e.g. 200,400), got '" + text + "'");
    }

    public static String formatTimesteps(int[] timesteps) {
        return String.join(",", Arrays.stream(timesteps).mapToObj(Integer::toString).toList());
    }

    void validate(int trainTimesteps) {
        if (prompt == null || prompt.isBlank()) {
            throw new GenerationException("the prompt is empty: name what to look for in the image (e.g. \"a red circle and a blue square\")");
        }
        if (timesteps.length == 0 || timesteps.length > 10) {
            throw new GenerationException("give between 1 and 10 timesteps, got " + timesteps.length);
        }
        for (int t : timesteps) {
            if (t < 1 || t >= trainTimesteps) {
                throw new GenerationException("timesteps must be between 1 and " + (trainTimesteps - 1) + " (the model's noise levels), got " + t);
            }
        }
        GenerationRequest.checkRange("noise draws", draws, 1, MAX_DRAWS);
        GenerationRequest.checkRange("steps", steps, 1, MAX_STEPS);
        if (!(guidance >= 0 && guidance <= GenerationRequest.MAX_GUIDANCE)) {
            throw new GenerationException("CFG scale must be between 0 and " + GenerationRequest.MAX_GUIDANCE + ", got " + guidance);
        }
        GenerationRequest.checkRange("CLIP skip", clipSkip, 1, GenerationRequest.MAX_CLIP_SKIP);
        GenerationRequest.checkRange("seed", seed, 0, 0xFFFFFFFFL);
    }
}
