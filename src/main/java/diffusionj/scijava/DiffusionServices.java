package diffusionj.scijava;

import ij.IJ;
import org.scijava.Context;
import org.scijava.plugin.DefaultPluginFinder;
import org.scijava.plugin.PluginIndex;

import java.util.List;

/**
 * The {@link DiffusionService} for ImageJ 1.x commands: Fiji's own SciJava context when the plugin runs
 * inside Fiji (so scripts and menu commands share loaded models), else a small context of our own.
 */
public final class DiffusionServices {
    private static Context own;

    private DiffusionServices() {
    }

    public static synchronized DiffusionService get() {
        if (fijiContext() instanceof Context context) {
            DiffusionService s = context.getService(DiffusionService.class);
            if (s != null) {
                return s;
            }
        }
        if (own == null) {
            own = ownContext();
        }
        return own.getService(DiffusionService.class);
    }

    /**
     * A context of our service and what it needs, found through the class loader that loaded this plugin. In plain
     * ImageJ 1.x that is ImageJ's plugin class loader (the jar lies in plugins/, maybe its libraries too), which
     * neither the system class loader nor the thread's context class loader (SciJava's default) can see into.
     */
    private static Context ownContext() {
        ClassLoader plugin = DiffusionServices.class.getClassLoader();
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(plugin);
        try {
            return new Context(List.of(DiffusionService.class), new PluginIndex(new DefaultPluginFinder(plugin)));
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /**
     * Fiji's legacy layer patches ImageJ 1.x (the patched {@code ij.IJ} gains a {@code _hooks} field) and answers
     * {@code IJ.runPlugIn("org.scijava.Context", "")} with its context. Unpatched, that call would build a whole
     * new context of every plugin on the class path, so it is made only inside Fiji.
     */
    private static Object fijiContext() {
        try {
            IJ.class.getField("_hooks");
        } catch (NoSuchFieldException e) {
            return null;
        }
        return IJ.runPlugIn(Context.class.getName(), "");
    }
}
