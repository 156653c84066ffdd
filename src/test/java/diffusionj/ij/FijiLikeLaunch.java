package diffusionj.ij;

import diffusionj.scijava.DiffusionService;
import diffusionj.scijava.DiffusionServices;
import net.imagej.patcher.EssentialLegacyHooks;
import net.imagej.patcher.LegacyInjector;
import org.scijava.Context;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * ImageJ started as Fiji starts it, minus ImageJ2's own user interface: every jar of jars/ and plugins/ on the class
 * path, ImageJ 1.x patched by the legacy layer's injector before its first class loads, a SciJava context of every
 * service on the class path made first, and the legacy hook that hands that context to
 * {@code IJ.runPlugIn("org.scijava.Context", "")} — the path by which plugins inside Fiji find it. Then the
 * {@link GuiTour}. Arguments: OUT SD_MODEL GPT2_MODEL; writes OUT/context.txt (whether DiffusionJ took Fiji's context).
 */
public final class FijiLikeLaunch {
    private FijiLikeLaunch() {
    }

    /** Only the injector here: ImageJ's classes must not load (not even to verify this method) before it patches them. */
    public static void main(String[] args) throws Exception {
        LegacyInjector.preinit();
        Fiji.start(args);
    }

    private static final class Fiji {
        static void start(String[] args) throws Exception {
            Context context = new Context();
            LegacyInjector.installHooks(FijiLikeLaunch.class.getClassLoader(), new EssentialLegacyHooks() {
                @Override
                public Object interceptRunPlugIn(String className, String arg) {
                    return Context.class.getName().equals(className) ? context : super.interceptRunPlugIn(className, arg);
                }
            });
            new ij.ImageJ();
            Path out = Path.of(args[0]);
            Files.createDirectories(out);
            boolean shared = DiffusionServices.get() == context.getService(DiffusionService.class);
            Files.writeString(out.resolve("context.txt"), "DiffusionJ uses Fiji's context: " + shared + "\n");
            System.exit(GuiTour.walk(out, args[1], args[2]) ? 0 : 1);
        }
    }
}
