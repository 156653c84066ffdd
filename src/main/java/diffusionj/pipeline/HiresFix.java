package diffusionj.pipeline;

import java.util.List;
import java.util.Map;

/**
 * The web UIs' "hires fix": generate at the model's own size, upscale, and rework the large picture with
 * image-to-image, so that the composition comes from the size the model knows and the detail from the second pass.
 * The target is {@code scale} × the first pass, or {@code width} × {@code height} (one of them 0: kept in proportion);
 * {@code steps} is the second pass's step count (0: the first pass's), {@code denoise} its denoising strength, and the
 * upscaler either works on the latent ("latent": bilinear, the web UI's "Latent") or on the decoded picture
 * ("lanczos", "bicubic"), which is then encoded again. As the web UIs do, the second pass runs exactly {@code steps}
 * steps: its schedule is stretched to steps / denoise so that they are its last ones.
 */
public record HiresFix(double scale, int width, int height, int steps, double denoise, String upscaler) {
    public static final double DEFAULT_DENOISE = 0.7;
    public static final HiresFix NONE = new HiresFix(0, 0, 0, 0, DEFAULT_DENOISE, "latent");
    public static final List<String> UPSCALERS = List.of("latent", "lanczos", "bicubic");
    public static final double MAX_SCALE = 4;
    private static final int MAX_SCHEDULE = 1000;
    private static final Map<String, String> DISPLAY = Map.of("latent", "Latent", "lanczos", "Lanczos", "bicubic", "Bicubic");

    public static HiresFix scaled(double scale, int steps, double denoise, String upscaler) {
        return new HiresFix(scale, 0, 0, steps, denoise, upscaler);
    }

    public boolean enabled() {
        return scale > 0 || width > 0 || height > 0;
    }

    public boolean inLatentSpace() {
        return upscaler.equals("latent");
    }

    /** The second pass's {width, height}: a multiple of 8 (rounded down) as the autoencoder needs. */
    public int[] target(int firstWidth, int firstHeight) {
        if (width == 0 && height == 0) {
            return new int[]{multipleOf8(firstWidth * scale), multipleOf8(firstHeight * scale)};
        }
        int w = width > 0 ? width : multipleOf8(firstWidth * (height / (double) firstHeight));
        int h = height > 0 ? height : multipleOf8(firstHeight * (width / (double) firstWidth));
        return new int[]{w, h};
    }

    private static int multipleOf8(double pixels) {
        return (int) pixels / 8 * 8;
    }

    /** The second pass's own step count: {@code steps}, or the first pass's when 0. */
    public int stepsRun(int firstSteps) {
        return steps == 0 ? firstSteps : steps;
    }

    /** The length of the schedule whose last {@link #stepsRun} steps the second pass runs (the web UIs' rule). */
    int scheduleLength(int firstSteps) {
        return Math.max(stepsRun(firstSteps), (int) (stepsRun(firstSteps) / Math.min(denoise, 0.999)));
    }

    /** The second pass as a request of its own: the target size, the stretched schedule, one pass. */
    GenerationRequest secondPass(GenerationRequest first) {
        int[] target = target(first.width(), first.height());
        return new GenerationRequest(first.prompt(), first.negativePrompt(), first.sampler(), scheduleLength(first.steps()), first.guidanceScale(),
                first.seed(), target[0], target[1], first.batchSize(), first.clipSkip(), first.sizes(), first.schedule(), NONE);
    }

    void validate(GenerationRequest first) {
        if (!enabled()) {
            return;
        }
        if (!UPSCALERS.contains(upscaler)) {
            throw new GenerationException("unknown hires upscaler '" + upscaler + "'; choose one of " + String.join(", ", UPSCALERS));
        }
        if (width == 0 && height == 0 && !(scale >= 1 && scale <= MAX_SCALE)) {
            throw new GenerationException("hires upscale must be between 1 and " + GenerationParameters.number(MAX_SCALE) + ", got "
                    + GenerationParameters.number(scale));
        }
        if (!(denoise > 0 && denoise <= 1)) {
            throw new GenerationException("hires denoising strength must be above 0 and at most 1, got " + denoise);
        }
        GenerationRequest.checkRange("hires steps", steps, 0, GenerationRequest.MAX_STEPS);
        if (scheduleLength(first.steps()) > MAX_SCHEDULE) {
            throw new GenerationException("hires denoising strength " + denoise + " is too low for " + stepsRun(first.steps())
                    + " steps: the second pass's schedule (steps / strength) must not exceed " + MAX_SCHEDULE + " steps");
        }
        int[] target = target(first.width(), first.height());
        for (int i = 0; i < 2; i++) {
            String what = i == 0 ? "hires width" : "hires height";
            GenerationRequest.checkRange(what, target[i], i == 0 ? first.width() : first.height(), GenerationRequest.MAX_SIZE);
            if (target[i] % 8 != 0) {
                throw new GenerationException(what + " must be a multiple of 8 (the autoencoder works on 8×8 pixel blocks), got " + target[i]);
            }
        }
    }

    /** The web UIs' fields for the settings line: ", Denoising strength: 0.7, Hires upscale: 2, Hires steps: 10, Hires upscaler: Latent". */
    String parameters() {
        if (!enabled()) {
            return "";
        }
        StringBuilder sb = new StringBuilder(", Denoising strength: ").append(GenerationParameters.number(denoise));
        if (width == 0 && height == 0) {
            sb.append(", Hires upscale: ").append(GenerationParameters.number(scale));
        } else {
            sb.append(", Hires resize: ").append(width).append('x').append(height);
        }
        if (steps != 0) {
            sb.append(", Hires steps: ").append(steps);
        }
        return sb.append(", Hires upscaler: ").append(DISPLAY.get(upscaler)).toString();
    }

    /** From the settings line's fields; {@link #NONE} when it has no hires fields. */
    static HiresFix fromFields(Map<String, String> f) {
        if (!f.containsKey("Hires upscale") && !f.containsKey("Hires resize")) {
            return NONE;
        }
        String[] resize = f.getOrDefault("Hires resize", "0x0").split("x");
        return new HiresFix(Double.parseDouble(f.getOrDefault("Hires upscale", "0")), Integer.parseInt(resize[0]), Integer.parseInt(resize[1]),
                Integer.parseInt(f.getOrDefault("Hires steps", "0")), Double.parseDouble(f.getOrDefault("Denoising strength", "0.7")),
                upscalerName(f.getOrDefault("Hires upscaler", "Latent")));
    }

    /** "Latent" or "latent" → "latent"; the web UIs' other upscalers (ESRGAN, "Latent (bicubic)", …) are named as missing. */
    public static String upscalerName(String shown) {
        for (Map.Entry<String, String> e : DISPLAY.entrySet()) {
            if (e.getValue().equalsIgnoreCase(shown) || e.getKey().equalsIgnoreCase(shown)) {
                return e.getKey();
            }
        }
        throw new GenerationException("hires upscaler '" + shown + "' is not supported; DiffusionJ has Latent, Lanczos and Bicubic");
    }
}
