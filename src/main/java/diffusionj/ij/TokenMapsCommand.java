package diffusionj.ij;

import diffusionj.attention.TokenMaps;
import diffusionj.pipeline.GenerationParameters;
import diffusionj.pipeline.GenerationRequest;
import diffusionj.pipeline.GenerationResult;
import diffusionj.scijava.DiffusionService;
import diffusionj.scijava.DiffusionServices;
import diffusionj.scijava.ModelChoice;
import ij.ImagePlus;
import ij.Macro;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.plugin.PlugIn;

import java.util.Set;

/**
 * Plugins › DiffusionJ › Token Maps...: the per-token maps, masks, label image and overlay of the current
 * image. For the last generation they are at hand; for any other image with parameters (a saved result,
 * a web-UI PNG) the generation is re-run with the same seed to record its attention — the same image again.
 */
public class TokenMapsCommand implements PlugIn {
    @Override
    public void run(String arg) {
        ImagePlus imp = WindowManager.getCurrentImage();
        if (imp == null) {
            GenerationRun.report("Token Maps needs a generated image (or one with generation parameters) to be open");
            return;
        }
        double threshold = threshold();
        if (Double.isNaN(threshold)) {
            return;
        }
        GenerationResult result = LastResult.of(imp);
        if (result == null) {
            result = regenerate(imp);
            if (result == null) {
                return;
            }
        }
        ResultDisplay.showTokenMaps(imp, result, Math.max(0, imp.getCurrentSlice() - 1), threshold);
    }

    private static double threshold() {
        String options = Macro.getOptions();
        if (options != null) {
            return new MacroOptions(options, Set.of("threshold", "model", "tokenizer")).number("threshold", TokenMaps.DEFAULT_THRESHOLD);
        }
        GenericDialog gd = new GenericDialog("Token Maps");
        gd.addSlider("Threshold", 0, 1, TokenMaps.DEFAULT_THRESHOLD, 0.05);
        gd.showDialog();
        return gd.wasCanceled() ? Double.NaN : gd.getNextNumber();
    }

    private static GenerationResult regenerate(ImagePlus imp) {
        String parameters = ResultImages.parametersOf(imp);
        if (parameters == null) {
            GenerationRun.report(imp.getTitle() + " has no generation parameters (Info or PNG 'parameters' text), so its token maps cannot be made");
            return null;
        }
        DiffusionService service = DiffusionServices.get();
        GenerationRequest request;
        ModelChoice model;
        try {
            request = GenerationParameters.parse(parameters);
            MacroOptions o = new MacroOptions(Macro.getOptions(), Set.of("threshold", "model", "tokenizer"));
            model = GenerationForm.model(o, service);
        } catch (RuntimeException e) {
            GenerationRun.report(e.getMessage());
            return null;
        }
        return GenerationRun.run(service, new GenerationForm.Values(request, model, diffusionj.io.ExtraNetworkFolders.NONE, true, TokenMaps.DEFAULT_THRESHOLD, 0, 0), null);
    }
}
