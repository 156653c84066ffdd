package diffusionj.lora;

import diffusionj.text.PromptException;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The web UIs' extra-network tags in a prompt: {@code <lora:name>}, {@code <lora:name:0.8>}, {@code <lora:name:te:unet>}
 * (also {@code te=}/{@code unet=} by name). Tags are taken out of the text that is encoded; any other kind
 * ({@code <hypernet:…>}, {@code <lyco:…>} aside, which the web UI reads as a LoRA) is an error, not text.
 */
public record LoraTags(String text, List<Tag> tags) {
    /** One tag: the LoRA's name (its file name without extension) and its two multipliers. */
    public record Tag(String name, double textMultiplier, double unetMultiplier) {
        /** The tag as the web UI writes it back. */
        public String written() {
            return "<lora:" + name + ":" + number(textMultiplier) + (unetMultiplier == textMultiplier ? "" : ":" + number(unetMultiplier)) + ">";
        }

        private static String number(double v) {
            return v == Math.rint(v) && Math.abs(v) < 1e6 ? String.valueOf((long) v) : String.valueOf(v);
        }
    }

    private static final Pattern TAG = Pattern.compile("<(\\w+):([^>]+)>");

    public static LoraTags parse(String prompt) {
        List<Tag> tags = new ArrayList<>();
        Matcher m = TAG.matcher(prompt);
        StringBuilder text = new StringBuilder();
        while (m.find()) {
            String kind = m.group(1);
            if (!kind.equals("lora") && !kind.equals("lyco")) {
                throw new PromptException("<" + kind + ":…> in the prompt: DiffusionJ reads <lora:name:weight> tags only");
            }
            tags.add(tag(m.group(2), m.group()));
            m.appendReplacement(text, "");
        }
        m.appendTail(text);
        return new LoraTags(text.toString(), List.copyOf(tags));
    }

    private static Tag tag(String body, String written) {
        String[] args = body.split(":");
        String name = args[0].trim();
        if (name.isEmpty()) {
            throw new PromptException(written + ": the LoRA's name is missing");
        }
        Double te = null;
        Double unet = null;
        int positional = 0;
        for (int i = 1; i < args.length; i++) {
            String a = args[i].trim();
            int eq = a.indexOf('=');
            String key = eq < 0 ? (positional++ == 0 ? "te" : positional == 2 ? "unet" : "a third number") : a.substring(0, eq).trim();
            double value = number(eq < 0 ? a : a.substring(eq + 1), written);
            switch (key) {
                case "te" -> te = value;
                case "unet" -> unet = value;
                default -> throw new PromptException(written + ": " + (key.equals("a third number") || key.equals("dyn")
                        ? "a dynamic rank limit (dyn) is not supported; LoRAs apply at their full rank" : "unknown argument '" + key + "' (te, unet)"));
            }
        }
        double t = te == null ? 1.0 : te;
        return new Tag(name, t, unet == null ? t : unet);
    }

    private static double number(String s, String written) {
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new PromptException(written + ": '" + s.trim() + "' is not a number");
        }
    }
}
