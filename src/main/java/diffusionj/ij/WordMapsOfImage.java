package diffusionj.ij;

import diffusionj.attention.TokenMaps;
import diffusionj.pipeline.GenerationException;
import diffusionj.pipeline.GenerationParameters;
import diffusionj.pipeline.WordMapSettings;
import diffusionj.scijava.DiffusionService;
import diffusionj.scijava.DiffusionServices;
import diffusionj.scijava.ModelChoice;
import ij.ImagePlus;
import ij.Macro;
import ij.Prefs;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.gui.Roi;
import ij.gui.ShapeRoi;
import ij.plugin.PlugIn;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;
import net.imglib2.img.array.ArrayImgs;

import java.awt.Rectangle;
import java.util.Set;

/**
 * Plugins › DiffusionJ › Word Maps of Image...: which region of the current image each word of a prompt names,
 * for any image (see {@link diffusionj.pipeline.WordMapping}). The current slice is converted to RGB as ImageJ shows
 * it (grey images through their display range, a multichannel composite as its channels together); an area selection
 * limits the analysis to its bounding rectangle, and the maps are 0 outside the selection. The outputs are those of Token Maps...: the map stack,
 * the ROIs in the ROI Manager, the label image and the overlay on the image.
 */
public class WordMapsOfImage implements PlugIn {
    static final Set<String> KEYS = Set.of("prompt", "negative", "model", "tokenizer", "timesteps", "draws", "steps", "cfg", "seed", "threshold");

    /** The dialog's or the macro's choices. */
    record Choices(WordMapSettings settings, ModelChoice model, double threshold) {
    }

    @Override
    public void run(String arg) {
        ImagePlus imp = WindowManager.getCurrentImage();
        if (imp == null) {
            GenerationRun.report("Word Maps of Image needs an open image");
            return;
        }
        DiffusionService service = DiffusionServices.get();
        Choices choices;
        try {
            choices = Macro.getOptions() != null ? fromMacro(Macro.getOptions(), defaultPrompt(imp), service) : fromDialog(defaultPrompt(imp), service);
        } catch (IllegalArgumentException | GenerationException e) {
            GenerationRun.report(e.getMessage());
            return;
        }
        if (choices == null) {
            return;
        }
        Roi region = region(imp);
        var pixels = rgb(imp, region);
        TokenMaps maps = GenerationRun.run(choices.model(), (progress, cancelled) -> service.wordMaps(choices.model(), pixels,
                choices.settings(), service.extraNetworkFolders(), progress, cancelled));
        if (maps == null) {
            return;
        }
        TokenMapWindows.Outputs out = TokenMapWindows.build(imp, maps, choices.threshold(), region);
        out.maps().show();
        out.labels().show();
        TokenMapWindows.addToRoiManager(out.rois());
    }

    /** The prompt of the image's own generation parameters, else the last one used here. */
    private static String defaultPrompt(ImagePlus imp) {
        String parameters = ResultImages.parametersOf(imp);
        if (parameters != null) {
            try {
                return GenerationParameters.parse(parameters).prompt();
            } catch (RuntimeException e) {
                // Unreadable parameters: the last prompt will do.
            }
        }
        return Prefs.get("diffusionj.wordmaps.prompt", "");
    }

    static Choices fromMacro(String options, String prompt, DiffusionService service) {
        MacroOptions o = new MacroOptions(options, KEYS);
        WordMapSettings s = new WordMapSettings(o.get("prompt", prompt), o.get("negative", ""),
                WordMapSettings.parseTimesteps(o.get("timesteps", WordMapSettings.formatTimesteps(WordMapSettings.DEFAULT_TIMESTEPS))),
                (int) o.number("draws", WordMapSettings.DEFAULT_DRAWS), (int) o.number("steps", WordMapSettings.DEFAULT_STEPS),
                o.number("cfg", WordMapSettings.DEFAULT_GUIDANCE), (long) o.number("seed", 0), 1);
        return new Choices(s, GenerationForm.model(o, service), o.number("threshold", TokenMaps.DEFAULT_THRESHOLD));
    }

    private static Choices fromDialog(String prompt, DiffusionService service) {
        GenericDialog gd = new GenericDialog("Word Maps of Image");
        ModelChoice current = service.defaultModel();
        gd.addStringField("Prompt", prompt, 50);
        gd.addStringField("Negative prompt", "", 50);
        gd.addStringField("Model", current.label(), 40);
        gd.addStringField("Tokenizer", current.tokenizer() == null ? "" : current.tokenizer().toString(), 40);
        gd.addStringField("Timesteps", WordMapSettings.formatTimesteps(WordMapSettings.DEFAULT_TIMESTEPS), 12);
        gd.addNumericField("Draws", WordMapSettings.DEFAULT_DRAWS, 0, 4, "noise draws averaged");
        gd.addNumericField("Steps", WordMapSettings.DEFAULT_STEPS, 0, 4, "per timestep");
        gd.addNumericField("CFG scale", WordMapSettings.DEFAULT_GUIDANCE, 1, 4, "(steps after the first)");
        gd.addNumericField("Seed", 0, 0, 12, "");
        gd.addNumericField("Threshold", TokenMaps.DEFAULT_THRESHOLD, 2, 5, "(masks)");
        gd.showDialog();
        if (gd.wasCanceled()) {
            return null;
        }
        String text = gd.getNextString().strip();
        String negative = gd.getNextString().strip();
        ModelChoice model = ModelChoice.of(gd.getNextString(), gd.getNextString());
        WordMapSettings s = new WordMapSettings(text, negative, WordMapSettings.parseTimesteps(gd.getNextString()),
                (int) gd.getNextNumber(), (int) gd.getNextNumber(), gd.getNextNumber(), (long) gd.getNextNumber(), 1);
        Prefs.set("diffusionj.wordmaps.prompt", text);
        return new Choices(s, model, gd.getNextNumber());
    }

    /** The area selection inside the image, or null for the whole image. */
    static Roi region(ImagePlus imp) {
        Roi roi = imp.getRoi();
        if (roi == null || !roi.isArea()) {
            return null;
        }
        Rectangle image = new Rectangle(0, 0, imp.getWidth(), imp.getHeight());
        if (image.contains(roi.getBounds())) {
            return roi;
        }
        Roi clipped = new ShapeRoi(roi).and(new ShapeRoi(new Roi(image)));
        if (clipped.getBounds().isEmpty()) {
            throw new GenerationException("the selection on " + imp.getTitle() + " lies outside the image");
        }
        return clipped;
    }

    /** The current slice as shown (grey through its display range), cropped to the region's bounds. */
    static net.imglib2.img.array.ArrayImg<net.imglib2.type.numeric.ARGBType, net.imglib2.img.basictypeaccess.array.IntArray> rgb(
            ImagePlus imp, Roi region) {
        // A multichannel composite is what its channels show together, not its current channel alone.
        ImageProcessor ip = imp.isComposite() ? new ColorProcessor(imp.getImage()) : imp.getProcessor();
        double min = ip.getMin();
        double max = ip.getMax();
        ip = ip.duplicate();
        if (region != null) {
            ip.setRoi(region.getBounds());
            ip = ip.crop();
        }
        if (!(ip instanceof ColorProcessor)) {
            ip.setMinAndMax(min, max); // the display range is what the user sees; keep it through copy and crop
        }
        ColorProcessor rgb = (ColorProcessor) ip.convertToRGB();
        return ArrayImgs.argbs(((int[]) rgb.getPixels()).clone(), rgb.getWidth(), rgb.getHeight());
    }
}
