package diffusionj.ij;

import diffusionj.io.PngFiles;
import diffusionj.pipeline.GenerationParameters;
import diffusionj.pipeline.GenerationResult;
import ij.ImagePlus;
import ij.ImageStack;
import ij.io.FileInfo;
import ij.process.ColorProcessor;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.basictypeaccess.array.IntArray;
import net.imglib2.type.numeric.ARGBType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Generated images as ImageJ sees them: an RGB image (a stack for a batch, one slice per seed) titled with
 * the prompt's start and the seed; "Info" holds the web UIs' parameters text and each of its fields is an
 * image property (Image › Show Info…, {@code Property.get("Seed")} in a macro).
 */
final class ResultImages {
    private ResultImages() {
    }

    static ImagePlus toImagePlus(GenerationResult result) {
        int n = result.images().size();
        ArrayImg<ARGBType, IntArray> first = result.images().get(0);
        int w = (int) first.dimension(0);
        int h = (int) first.dimension(1);
        ImageStack stack = new ImageStack(w, h);
        for (int i = 0; i < n; i++) {
            int[] pixels = result.images().get(i).update(null).getCurrentStorageArray().clone();
            stack.addSlice("seed " + result.seeds()[i], new ColorProcessor(w, h, pixels));
        }
        ImagePlus imp = new ImagePlus(title(result.request().prompt(), result.seeds()[0], n), stack);
        describe(imp, result.parameters().get(0));
        return imp;
    }

    /** Info and properties of an image made from {@code parameters}. */
    static void describe(ImagePlus imp, String parameters) {
        imp.setProperty("Info", parameters);
        for (Map.Entry<String, String> f : GenerationParameters.fields(parameters).entrySet()) {
            imp.setProp(f.getKey(), f.getValue());
        }
    }

    static String title(String prompt, long seed, int count) {
        String start = prompt.strip().replaceAll("\\s+", " ");
        if (start.length() > 40) {
            start = start.substring(0, 40).strip() + "…";
        }
        return start + " (seed " + seed + (count > 1 ? "–" + (seed + count - 1) : "") + ")";
    }

    /**
     * The parameters text of an image: from its Info when DiffusionJ made it or it was saved as TIFF, else
     * from the "parameters" text of the PNG file it was opened from (as the web UIs write it); null if none.
     */
    static String parametersOf(ImagePlus imp) {
        if (imp == null) {
            return null;
        }
        if (imp.getProperty("Info") instanceof String info && ("\n" + info).contains("\nSteps: ")) {
            return info;
        }
        FileInfo fi = imp.getOriginalFileInfo();
        if (fi != null && fi.directory != null && fi.fileName != null && fi.fileName.toLowerCase().endsWith(".png")) {
            Path file = Path.of(fi.directory, fi.fileName);
            if (Files.isRegularFile(file)) {
                return PngFiles.readText(file, "parameters");
            }
        }
        return null;
    }
}
