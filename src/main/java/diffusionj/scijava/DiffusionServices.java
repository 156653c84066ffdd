package diffusionj.scijava;

import ij.IJ;
import org.scijava.Context;

/**
 * The {@link DiffusionService} for ImageJ 1.x commands: Fiji's own SciJava context when the plugin runs
 * inside Fiji (so scripts and menu commands share loaded models), else a small context of our own.
 */
public final class DiffusionServices {
    private static Context own;

    private DiffusionServices() {
    }

    public static synchronized DiffusionService get() {
        Object fiji = fijiContext();
        if (fiji instanceof Context context) {
            DiffusionService s = context.getService(DiffusionService.class);
            if (s != null) {
                return s;
            }
        }
        if (own == null) {
            own = new Context(DiffusionService.class);
        }
        return own.getService(DiffusionService.class);
    }

    /** Fiji's legacy layer hands out its context to {@code IJ.runPlugIn("org.scijava.Context", "")}. */
    private static Object fijiContext() {
        try {
            Class.forName("net.imagej.legacy.LegacyService");
        } catch (ClassNotFoundException e) {
            return null;
        }
        return IJ.runPlugIn("org.scijava.Context", "");
    }
}
