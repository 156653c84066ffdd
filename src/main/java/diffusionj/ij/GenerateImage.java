package diffusionj.ij;

import diffusionj.pipeline.GenerationParameters;
import diffusionj.pipeline.GenerationRequest;
import diffusionj.pipeline.GenerationResult;
import diffusionj.scijava.DiffusionService;
import diffusionj.scijava.DiffusionServices;
import ij.WindowManager;
import ij.plugin.PlugIn;

/**
 * Plugins › DiffusionJ › Generate Image...: text-to-image. The dialog starts from the parameters of the
 * image at hand when it has them (a DiffusionJ result, or a PNG from the web UIs), else from the last run.
 */
public class GenerateImage implements PlugIn {
    @Override
    public void run(String arg) {
        DiffusionService service = DiffusionServices.get();
        GenerationForm.Values form;
        try {
            form = GenerationForm.ask("Generate Image", GenerationForm.Kind.TEXT, defaults(), service);
        } catch (IllegalArgumentException | diffusionj.pipeline.GenerationException e) {
            GenerationRun.report(e.getMessage());
            return;
        }
        if (form == null) {
            return;
        }
        GenerationResult result = GenerationRun.run(service, form, null);
        if (result != null) {
            ResultDisplay.show(result, form);
        }
    }

    private static GenerationRequest defaults() {
        String parameters = ResultImages.parametersOf(WindowManager.getCurrentImage());
        if (parameters != null) {
            try {
                return GenerationParameters.parse(parameters);
            } catch (RuntimeException e) {
                // Not parameters we understand: fall back to the last-used settings.
            }
        }
        return GenerationForm.remembered();
    }
}
