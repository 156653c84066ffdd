package diffusionj.ij;

import diffusionj.attention.TokenMaps;
import diffusionj.io.ExtraNetworkFolders;
import diffusionj.pipeline.GenerationParameters;
import diffusionj.pipeline.GenerationRequest;
import diffusionj.pipeline.HiresFix;
import diffusionj.sampling.Samplers;
import diffusionj.scijava.DiffusionService;
import diffusionj.scijava.ModelChoice;
import ij.Macro;
import ij.Prefs;
import ij.gui.GenericDialog;
import ij.plugin.frame.Recorder;

import java.awt.GridBagConstraints;
import java.awt.GridBagLayout;
import java.awt.Label;
import java.awt.Panel;
import java.awt.TextArea;
import java.util.Set;

import diffusionj.unet.SizeConditioning;

/**
 * The settings shared by Generate Image..., Image to Image... and Inpaint Selection...: a dialog in the
 * GUI (its fields recorded by the Macro Recorder), or the macro's options when run from a macro or a
 * headless batch. Option keys: prompt, negative, model, tokenizer, sampler, steps, cfg, seed, width,
 * height, batch, clip, token (flag), threshold, lora_dir and embeddings_dir (folders searched before the
 * remembered ones; several separated by the path separator), schedule (leading, trailing, sgm_uniform; absent: the
 * model's), SDXL's original_size and crop (W,H and X,Y), the hires fix's hires_scale (or hires_width/hires_height),
 * hires_steps, hires_denoise and hires_upscaler (latent, lanczos, bicubic), and for image-to-image strength, mask (blur in pixels).
 * A width or height of 0 means the model's own size; cfg=auto the model family's guidance (SDXL 5, SD 1.x/2.x 7.5).
 */
final class GenerationForm {
    static final Set<String> KEYS = Set.of("prompt", "negative", "model", "tokenizer", "sampler", "steps", "cfg", "seed", "width",
            "height", "batch", "clip", "token", "threshold", "strength", "mask", "lora_dir", "embeddings_dir", "schedule", "original_size",
            "crop", "hires_scale", "hires_width", "hires_height", "hires_steps", "hires_denoise", "hires_upscaler");
    /** How the dialog and macros write {@link GenerationRequest#MODEL_GUIDANCE}. */
    static final String AUTO = "auto";
    /** The schedule type choices; the first is the model's own. */
    private static final String[] SCHEDULES = {"automatic", "leading", "trailing", "sgm_uniform"};

    /**
     * What the user asked for; {@code strength} and {@code maskBlur} only matter from an image; {@code folders}: the
     * macro's LoRA and embedding folders (the remembered ones are added by the service).
     */
    record Values(GenerationRequest request, ModelChoice model, ExtraNetworkFolders folders, boolean tokenMaps, double threshold,
                  double strength, int maskBlur) {
    }

    enum Kind { TEXT, IMAGE, INPAINT }

    private GenerationForm() {
    }

    /** The values, or null when the user cancelled the dialog. */
    static Values ask(String title, Kind kind, GenerationRequest defaults, DiffusionService service) {
        String options = Macro.getOptions();
        return options != null ? fromMacro(options, kind, defaults, service) : fromDialog(title, kind, defaults, service);
    }

    /** Last-used settings (Prefs), or the parameters of the image at hand when it has them. */
    static GenerationRequest remembered() {
        return new GenerationRequest(Prefs.get("diffusionj.prompt", ""), Prefs.get("diffusionj.negative", ""),
                Prefs.get("diffusionj.sampler", "euler_ancestral"), (int) Prefs.get("diffusionj.steps", 20),
                Prefs.get("diffusionj.cfg", GenerationRequest.MODEL_GUIDANCE), -1, (int) Prefs.get("diffusionj.width", 0),
                (int) Prefs.get("diffusionj.height", 0), 1, (int) Prefs.get("diffusionj.clip", 1))
                .with(SizeConditioning.DEFAULT, Prefs.get("diffusionj.schedule", ""))
                .with(HiresFix.scaled(Prefs.get("diffusionj.hires_scale", 0), (int) Prefs.get("diffusionj.hires_steps", 0),
                        Prefs.get("diffusionj.hires_denoise", HiresFix.DEFAULT_DENOISE), Prefs.get("diffusionj.hires_upscaler", "latent")));
    }

    private static void remember(GenerationRequest r) {
        Prefs.set("diffusionj.prompt", r.prompt());
        Prefs.set("diffusionj.negative", r.negativePrompt());
        Prefs.set("diffusionj.sampler", r.sampler());
        Prefs.set("diffusionj.steps", r.steps());
        Prefs.set("diffusionj.cfg", r.guidanceScale());
        Prefs.set("diffusionj.width", r.width());
        Prefs.set("diffusionj.height", r.height());
        Prefs.set("diffusionj.clip", r.clipSkip());
        Prefs.set("diffusionj.schedule", r.schedule());
        Prefs.set("diffusionj.hires_scale", r.hires().scale());
        Prefs.set("diffusionj.hires_steps", r.hires().steps());
        Prefs.set("diffusionj.hires_denoise", r.hires().denoise());
        Prefs.set("diffusionj.hires_upscaler", r.hires().upscaler());
    }

    /** A guidance scale as the dialog and macros write it: a number, or "auto" for the model's. */
    static String guidanceText(double cfg) {
        return Double.isNaN(cfg) ? AUTO : String.valueOf(cfg);
    }

    static double guidance(String text) {
        if (text.strip().equalsIgnoreCase(AUTO)) {
            return GenerationRequest.MODEL_GUIDANCE;
        }
        try {
            return Double.parseDouble(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("CFG scale must be a number or '" + AUTO + "' (the model's own: SDXL 5, SD 1.x/2.x 7.5), got '" + text + "'");
        }
    }

    /** The dialog's first choice, "automatic" (what the Recorder writes for it), is the model's own schedule: "". */
    private static String schedule(String chosen) {
        return chosen.equals(SCHEDULES[0]) ? "" : chosen;
    }

    private static Values fromMacro(String options, Kind kind, GenerationRequest d, DiffusionService service) {
        MacroOptions o = new MacroOptions(options, KEYS);
        ModelChoice model = model(o, service);
        GenerationRequest r = new GenerationRequest(o.get("prompt", d.prompt()), o.get("negative", d.negativePrompt()),
                GenerationParameters.samplerName(o.get("sampler", d.sampler())), whole(o, "steps", d.steps()),
                guidance(o.get("cfg", guidanceText(d.guidanceScale()))),
                (long) o.number("seed", d.seed()), whole(o, "width", d.width()), whole(o, "height", d.height()),
                whole(o, "batch", d.batchSize()), whole(o, "clip", d.clipSkip()))
                .with(SizeConditioning.parse(o.get("original_size", "0,0"), o.get("crop", "0,0"), "macro option original_size", "macro option crop"),
                        schedule(o.get("schedule", d.schedule())));
        r = r.with(kind == Kind.TEXT ? hires(o, d.hires()) : HiresFix.NONE);
        ExtraNetworkFolders folders = new ExtraNetworkFolders(ExtraNetworkFolders.split(o.get("lora_dir", "")),
                ExtraNetworkFolders.split(o.get("embeddings_dir", "")));
        return new Values(r, model, folders, o.has("token"), o.number("threshold", TokenMaps.DEFAULT_THRESHOLD),
                o.number("strength", kind == Kind.INPAINT ? 0.8 : 0.6), whole(o, "mask", 4));
    }

    /** The macro's hires keys over the defaults' hires fix (an image's own parameters, or the last used). */
    private static HiresFix hires(MacroOptions o, HiresFix d) {
        boolean sized = o.has("hires_width") || o.has("hires_height");
        return new HiresFix(o.number("hires_scale", sized ? 0 : d.scale()), whole(o, "hires_width", sized ? 0 : d.width()),
                whole(o, "hires_height", sized ? 0 : d.height()), whole(o, "hires_steps", d.steps()), o.number("hires_denoise", d.denoise()),
                HiresFix.upscalerName(o.get("hires_upscaler", d.upscaler())));
    }

    /** The model a macro names ({@code model=}, {@code tokenizer=}), else the default one. */
    static ModelChoice model(MacroOptions o, DiffusionService service) {
        return o.has("model") ? ModelChoice.of(o.get("model", ""), o.get("tokenizer", "")) : service.defaultModel();
    }

    private static int whole(MacroOptions o, String key, int fallback) {
        double v = o.number(key, fallback);
        if (v != Math.rint(v)) {
            throw new IllegalArgumentException("macro option " + key + "=" + o.get(key, "") + " must be a whole number");
        }
        return (int) v;
    }

    private static Values fromDialog(String title, Kind kind, GenerationRequest d, DiffusionService service) {
        GenericDialog gd = new GenericDialog(title);
        TextArea prompt = new TextArea(d.prompt(), 4, 60, TextArea.SCROLLBARS_VERTICAL_ONLY);
        TextArea negative = new TextArea(d.negativePrompt(), 2, 60, TextArea.SCROLLBARS_VERTICAL_ONLY);
        gd.addPanel(promptPanel(prompt, negative));
        ModelChoice current = service.defaultModel();
        gd.addPanel(ExtraNetworkChooser.panel(service.extraNetworkFolders(current), prompt));
        gd.addStringField("Model", current.label(), 40);
        gd.addStringField("Tokenizer", current.tokenizer() == null ? "" : current.tokenizer().toString(), 40);
        gd.addChoice("Sampler", Samplers.NAMES.toArray(new String[0]), d.sampler());
        gd.addChoice("Schedule type", SCHEDULES, d.schedule().isEmpty() ? SCHEDULES[0] : d.schedule());
        gd.addNumericField("Steps", d.steps(), 0);
        gd.addStringField("CFG scale", guidanceText(d.guidanceScale()), 6);
        gd.addNumericField("Seed", d.seed(), 0, 12, "(-1 = random)");
        if (kind == Kind.TEXT) {
            gd.addNumericField("Width", d.width(), 0, 6, "pixels (0 = the model's size)");
            gd.addNumericField("Height", d.height(), 0, 6, "pixels");
            gd.addNumericField("Batch count", d.batchSize(), 0);
            // Underscores: ImageJ shows them as spaces and records "hires_scale=…", one key per field.
            gd.addNumericField("Hires_scale", d.hires().scale(), 2, 6, "(0 = no hires fix; 2 = twice the size)");
            gd.addNumericField("Hires_steps", d.hires().steps(), 0, 6, "(0 = as many as the first pass)");
            gd.addNumericField("Hires_denoise", d.hires().denoise(), 2, 6, "(denoising strength of the second pass)");
            gd.addChoice("Hires_upscaler", HiresFix.UPSCALERS.toArray(new String[0]), d.hires().upscaler());
        } else {
            gd.addSlider("Strength", 0.05, 1, kind == Kind.INPAINT ? 0.8 : 0.6, 0.05);
            if (kind == Kind.INPAINT) {
                gd.addNumericField("Mask blur", 4, 0, 4, "pixels");
            }
        }
        gd.addNumericField("CLIP skip", d.clipSkip(), 0);
        gd.addCheckbox("Token maps", false);
        gd.addNumericField("Threshold", TokenMaps.DEFAULT_THRESHOLD, 2, 5, "(token masks)");
        gd.addHelp("https://github.com/diffusionj/DiffusionJ#menu-commands");
        gd.showDialog();
        if (gd.wasCanceled()) {
            return null;
        }
        drawRandomSeed((java.awt.TextField) gd.getNumericFields().get(1));
        Recorder.recordOption("prompt", oneLine(prompt.getText()));
        Recorder.recordOption("negative", oneLine(negative.getText()));
        ModelChoice model = ModelChoice.of(gd.getNextString(), gd.getNextString());
        String sampler = gd.getNextChoice();
        String schedule = gd.getNextChoice();
        int steps = (int) gd.getNextNumber();
        double cfg = guidance(gd.getNextString());
        long seed = (long) gd.getNextNumber();
        int width = kind == Kind.TEXT ? (int) gd.getNextNumber() : d.width();
        int height = kind == Kind.TEXT ? (int) gd.getNextNumber() : d.height();
        int batch = kind == Kind.TEXT ? (int) gd.getNextNumber() : 1;
        HiresFix hires = kind == Kind.TEXT ? HiresFix.scaled(gd.getNextNumber(), (int) gd.getNextNumber(), gd.getNextNumber(), gd.getNextChoice())
                : HiresFix.NONE;
        double strength = kind == Kind.TEXT ? 0 : gd.getNextNumber();
        int blur = kind == Kind.INPAINT ? (int) gd.getNextNumber() : 0;
        int clip = (int) gd.getNextNumber();
        boolean maps = gd.getNextBoolean();
        double threshold = gd.getNextNumber();
        GenerationRequest r = new GenerationRequest(oneLine(prompt.getText()), oneLine(negative.getText()), sampler, steps, cfg, seed,
                width, height, batch, clip).with(SizeConditioning.DEFAULT, schedule(schedule)).with(hires);
        remember(r);
        return new Values(r, model, ExtraNetworkFolders.NONE, maps, threshold, strength, blur);
    }

    /**
     * Seed −1 means random: the seed is drawn now and put into the field, so that the Macro Recorder writes
     * it and the recorded line re-makes this very image.
     */
    private static void drawRandomSeed(java.awt.TextField seed) {
        if (seed.getText().strip().equals("-1")) {
            seed.setText(Long.toString(new java.security.SecureRandom().nextLong() & 0xFFFFFFFFL));
        }
    }

    /** A recorded macro line cannot hold line breaks; CLIP reads them as spaces anyway. */
    private static String oneLine(String text) {
        return text.replace("\r", "").replace('\n', ' ').strip();
    }

    private static Panel promptPanel(TextArea prompt, TextArea negative) {
        Panel p = new Panel(new GridBagLayout());
        GridBagConstraints c = new GridBagConstraints();
        c.anchor = GridBagConstraints.NORTHWEST;
        c.gridx = 0;
        c.gridy = 0;
        p.add(new Label("Prompt"), c);
        c.gridx = 1;
        p.add(prompt, c);
        c.gridx = 0;
        c.gridy = 1;
        p.add(new Label("Negative prompt"), c);
        c.gridx = 1;
        p.add(negative, c);
        return p;
    }
}
