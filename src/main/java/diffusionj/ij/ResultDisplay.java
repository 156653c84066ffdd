package diffusionj.ij;

import diffusionj.pipeline.GenerationResult;
import ij.IJ;
import ij.ImagePlus;

/** Shows a finished generation: the image, the seed in the Log, and the token maps when asked for. */
final class ResultDisplay {
    private ResultDisplay() {
    }

    static ImagePlus show(GenerationResult result, GenerationForm.Values form) {
        ImagePlus imp = ResultImages.toImagePlus(result);
        LastResult.set(result, imp);
        if (form.tokenMaps()) {
            showTokenMaps(imp, result, 0, form.threshold());
        }
        imp.show();
        IJ.log("DiffusionJ: " + imp.getTitle() + " — seed " + result.seeds()[0]
                + (result.seeds().length > 1 ? " to " + result.seeds()[result.seeds().length - 1] : ""));
        return imp;
    }

    static void showTokenMaps(ImagePlus generated, GenerationResult result, int image, double threshold) {
        TokenMapWindows.Outputs out = TokenMapWindows.build(generated, result.tokenMaps().get(image), threshold);
        out.maps().show();
        out.labels().show();
        TokenMapWindows.addToRoiManager(out.rois());
    }
}
