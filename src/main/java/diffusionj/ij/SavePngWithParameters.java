package diffusionj.ij;

import diffusionj.io.PngFiles;
import ij.IJ;
import ij.ImagePlus;
import ij.Macro;
import ij.WindowManager;
import ij.io.SaveDialog;
import ij.plugin.PlugIn;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * File › Save As › PNG with Parameters...: the current slice as PNG with the "parameters" text chunk the
 * web UIs write and read. (ImageJ's own File › Save As › PNG... writes no text chunks, and a plugin cannot
 * change it; TIFF keeps Info and properties.) Macro option: {@code path=[file.png]}.
 */
public class SavePngWithParameters implements PlugIn {
    @Override
    public void run(String arg) {
        ImagePlus imp = WindowManager.getCurrentImage();
        if (imp == null) {
            GenerationRun.report("PNG with Parameters needs an open image");
            return;
        }
        String parameters = ResultImages.parametersOf(imp);
        if (parameters == null) {
            GenerationRun.report(imp.getTitle() + " has no generation parameters to save");
            return;
        }
        String path;
        if (Macro.getOptions() != null) {
            path = new MacroOptions(Macro.getOptions(), Set.of("path")).get("path", "");
        } else {
            SaveDialog sd = new SaveDialog("Save as PNG with Parameters", imp.getTitle().replaceAll("[^\\p{L}\\p{N} ._()-]", "_"), ".png");
            path = sd.getFileName() == null ? "" : sd.getDirectory() + sd.getFileName();
            ij.plugin.frame.Recorder.recordOption("path", path);
        }
        if (path.isBlank()) {
            return;
        }
        try {
            PngFiles.write(Path.of(path), imp.getProcessor().convertToRGB().getBufferedImage(), Map.of("parameters", parameters));
            IJ.showStatus("saved " + path);
        } catch (RuntimeException e) {
            GenerationRun.report(e.getMessage());
        }
    }
}
