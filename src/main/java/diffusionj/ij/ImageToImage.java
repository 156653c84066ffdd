package diffusionj.ij;

import diffusionj.pipeline.GenerationException;
import diffusionj.pipeline.GenerationParameters;
import diffusionj.pipeline.GenerationRequest;
import diffusionj.pipeline.GenerationResult;
import diffusionj.pipeline.InitImage;
import diffusionj.scijava.DiffusionService;
import diffusionj.scijava.DiffusionServices;
import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.Roi;
import ij.plugin.PlugIn;

/**
 * Plugins › DiffusionJ › Image to Image... and (with arg "inpaint") Inpaint Selection...: the current image
 * is the starting point; strength says how much of the schedule reworks it. Inpainting regenerates only
 * the area selection. The original image is never changed: the result is a new window.
 */
public class ImageToImage implements PlugIn {
    @Override
    public void run(String arg) {
        boolean inpaint = "inpaint".equals(arg);
        String title = inpaint ? "Inpaint Selection" : "Image to Image";
        ImagePlus imp = WindowManager.getCurrentImage();
        if (imp == null) {
            GenerationRun.report(title + " needs an open image to start from");
            return;
        }
        DiffusionService service = DiffusionServices.get();
        GenerationForm.Values form;
        InitImage init;
        try {
            Roi selection = inpaint ? ImagePixels.areaSelection(imp) : null;
            var pixels = ImagePixels.pixels(imp);
            form = GenerationForm.ask(title, inpaint ? GenerationForm.Kind.INPAINT : GenerationForm.Kind.IMAGE, defaults(imp), service);
            if (form == null) {
                return;
            }
            init = InitImage.of(pixels, form.strength(), inpaint ? ImagePixels.mask(imp, selection, form.maskBlur()) : null, form.maskBlur());
        } catch (IllegalArgumentException | GenerationException e) {
            GenerationRun.report(e.getMessage());
            return;
        }
        GenerationResult result = GenerationRun.run(service, form, init);
        if (result != null) {
            ResultDisplay.show(result, form);
        }
    }

    /** The image's own size, one image, and its parameters or the last-used ones. */
    private static GenerationRequest defaults(ImagePlus imp) {
        GenerationRequest d = GenerationForm.remembered();
        String parameters = ResultImages.parametersOf(imp);
        if (parameters != null) {
            try {
                d = GenerationParameters.parse(parameters);
            } catch (RuntimeException e) {
                // Unreadable parameters: the last-used settings will do.
            }
        }
        return new GenerationRequest(d.prompt(), d.negativePrompt(), d.sampler(), d.steps(), d.guidanceScale(), d.seed(),
                imp.getWidth(), imp.getHeight(), 1, d.clipSkip(), d.sizes(), d.schedule(), diffusionj.pipeline.HiresFix.NONE);
    }
}
