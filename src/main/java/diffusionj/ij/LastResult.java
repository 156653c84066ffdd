package diffusionj.ij;

import diffusionj.pipeline.GenerationResult;
import ij.ImagePlus;

/** The most recent generation and the image showing it, for Token Maps... without re-generating. */
final class LastResult {
    private static GenerationResult result;
    private static int imageId;

    private LastResult() {
    }

    static synchronized void set(GenerationResult r, ImagePlus imp) {
        result = r;
        imageId = imp.getID();
    }

    /** The result behind {@code imp} when it has token maps, else null. */
    static synchronized GenerationResult of(ImagePlus imp) {
        return result != null && imp != null && imp.getID() == imageId && !result.tokenMaps().isEmpty() ? result : null;
    }
}
