package diffusionj.pipeline;

import diffusionj.unet.SizeConditioning;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The "parameters" text the popular web UIs store in PNG files and show as generation info:
 * <pre>
 * PROMPT
 * Negative prompt: NEGATIVE
 * Steps: 20, Sampler: Euler a, CFG scale: 7.5, Seed: 42, Size: 512x512, Model hash: 1a2b3c4d, Model: name, Clip skip: 2
 * </pre>
 * Sampler names are written as the web UIs write them and read back in either form.
 */
public final class GenerationParameters {
    private static final Map<String, String> DISPLAY = new LinkedHashMap<>();

    static {
        DISPLAY.put("ddim", "DDIM");
        DISPLAY.put("pndm", "PLMS");
        DISPLAY.put("euler", "Euler");
        DISPLAY.put("euler_karras", "Euler Karras");
        DISPLAY.put("euler_ancestral", "Euler a");
        DISPLAY.put("heun", "Heun");
        DISPLAY.put("lms", "LMS");
        DISPLAY.put("dpmpp_2m", "DPM++ 2M");
        DISPLAY.put("dpmpp_2m_karras", "DPM++ 2M Karras");
        DISPLAY.put("ddpm", "DDPM");
        DISPLAY.put("lcm", "LCM");
    }

    /** The schedule types as the web UIs show them ("Schedule type: SGM Uniform"). */
    private static final Map<String, String> SCHEDULE_DISPLAY = Map.of("leading", "Leading", "trailing", "Trailing", "sgm_uniform", "SGM Uniform");

    private GenerationParameters() {
    }

    /** The text for one image; {@code seed} is that image's own seed. */
    public static String format(GenerationRequest r, long seed, String modelName, String modelHash) {
        StringBuilder sb = new StringBuilder(r.prompt());
        if (!r.negativePrompt().isEmpty()) {
            sb.append("\nNegative prompt: ").append(r.negativePrompt());
        }
        sb.append("\nSteps: ").append(r.steps())
                .append(", Sampler: ").append(DISPLAY.getOrDefault(r.sampler(), r.sampler()))
                .append(", CFG scale: ").append(number(r.guidanceScale()))
                .append(", Seed: ").append(seed)
                .append(", Size: ").append(r.width()).append('x').append(r.height())
                .append(", Model hash: ").append(modelHash)
                .append(", Model: ").append(modelName);
        if (r.clipSkip() > 1) {
            sb.append(", Clip skip: ").append(r.clipSkip());
        }
        if (!r.schedule().isEmpty()) {
            sb.append(", Schedule type: ").append(SCHEDULE_DISPLAY.get(r.schedule()));
        }
        SizeConditioning sizes = r.sizes();
        if (sizes.originalWidth() != 0 || sizes.originalHeight() != 0) {
            sb.append(", Original size: ").append(sizes.originalWidth() == 0 ? r.width() : sizes.originalWidth()).append('x')
                    .append(sizes.originalHeight() == 0 ? r.height() : sizes.originalHeight());
        }
        if (sizes.cropLeft() != 0 || sizes.cropTop() != 0) {
            sb.append(", Crop top left: ").append(sizes.cropLeft()).append(',').append(sizes.cropTop());
        }
        return sb.append(r.hires().parameters()).toString();
    }

    static String number(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    /** The settings line's fields by name ("Steps" → "20", …), plus "Prompt" and "Negative prompt". */
    public static Map<String, String> fields(String text) {
        Map<String, String> fields = new LinkedHashMap<>();
        String[] lines = text.strip().split("\n");
        int settings = lines.length - 1;
        while (settings >= 0 && !lines[settings].startsWith("Steps: ")) {
            settings--;
        }
        if (settings < 0) {
            throw new GenerationException("no generation parameters found (expected a line starting with 'Steps: ')");
        }
        StringBuilder prompt = new StringBuilder();
        StringBuilder negative = null;
        for (int i = 0; i < settings; i++) {
            if (lines[i].startsWith("Negative prompt: ")) {
                negative = new StringBuilder(lines[i].substring("Negative prompt: ".length()));
            } else if (negative != null) {
                negative.append('\n').append(lines[i]);
            } else {
                prompt.append(prompt.length() > 0 ? "\n" : "").append(lines[i]);
            }
        }
        fields.put("Prompt", prompt.toString());
        fields.put("Negative prompt", negative == null ? "" : negative.toString());
        // A quoted value ("name: hash, name: hash") is one field, its commas and colons included.
        for (String part : lines[settings].split(", (?=[A-Z][A-Za-z ]*: )(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)")) {
            int colon = part.indexOf(": ");
            if (colon > 0) {
                fields.put(part.substring(0, colon).trim(), part.substring(colon + 2).trim());
            }
        }
        return fields;
    }

    /** The request that re-makes an image from its parameters text (batch size 1, its own seed). */
    public static GenerationRequest parse(String text) {
        Map<String, String> f = fields(text);
        String[] size = f.getOrDefault("Size", "512x512").split("x");
        try {
            String[] original = f.getOrDefault("Original size", "0x0").split("x");
            String[] crop = f.getOrDefault("Crop top left", "0,0").split(",");
            SizeConditioning sizes = new SizeConditioning(Integer.parseInt(original[0]), Integer.parseInt(original[1]),
                    Integer.parseInt(crop[0].trim()), Integer.parseInt(crop[1].trim()));
            return new GenerationRequest(f.get("Prompt"), f.get("Negative prompt"), samplerName(f.getOrDefault("Sampler", "Euler a")),
                    Integer.parseInt(f.getOrDefault("Steps", "20")), Double.parseDouble(f.getOrDefault("CFG scale", "7")),
                    Long.parseLong(f.getOrDefault("Seed", "-1")), Integer.parseInt(size[0]), Integer.parseInt(size[1]), 1,
                    Integer.parseInt(f.getOrDefault("Clip skip", "1")), sizes, scheduleName(f.getOrDefault("Schedule type", "")),
                    HiresFix.fromFields(f));
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw new GenerationException("generation parameters are malformed: " + e.getMessage());
        }
    }

    /** "SGM Uniform" or "sgm_uniform" → "sgm_uniform"; "" (none written) → "". Types DiffusionJ lacks ("Karras", …) are named. */
    static String scheduleName(String shown) {
        if (shown.isEmpty() || shown.equals("Automatic")) {
            return "";
        }
        for (Map.Entry<String, String> e : SCHEDULE_DISPLAY.entrySet()) {
            if (e.getValue().equalsIgnoreCase(shown) || e.getKey().equalsIgnoreCase(shown)) {
                return e.getKey();
            }
        }
        throw new GenerationException("schedule type '" + shown + "' is not supported; DiffusionJ has " + String.join(", ", SCHEDULE_DISPLAY.values()));
    }

    /** "Euler a" or "euler_ancestral" → "euler_ancestral". */
    public static String samplerName(String shown) {
        for (Map.Entry<String, String> e : DISPLAY.entrySet()) {
            if (e.getValue().equalsIgnoreCase(shown) || e.getKey().equalsIgnoreCase(shown)) {
                return e.getKey();
            }
        }
        throw new GenerationException("unknown sampler '" + shown + "'");
    }

}
