package diffusionj.install;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The entry point of {@code java -jar DiffusionJ_.jar} (and of {@code bin/diffusionj install / update-site}): plain Java,
 * nothing but the JDK, so it runs on any system with Java before any library is in place.
 * <pre>
 *   install FIJI_OR_IMAGEJ_DIR [--all-platforms] [--jars DIR | --classpath FILE]
 *   update-site OUT_DIR [--plugin-jar FILE] [--jars DIR | --classpath FILE]
 * </pre>
 * The libraries come from {@code --jars DIR} (a folder of jars), {@code --classpath FILE} (a class-path list), or else
 * from beside the plugin jar: its {@code jars/} folder (a distribution) or {@code classpath.txt} (a Maven build's target/).
 */
public final class InstallCommand {
    static final String USAGE = "usage: java -jar DiffusionJ_.jar install FIJI_OR_IMAGEJ_DIR [--all-platforms] [--jars DIR | --classpath FILE]\n"
            + "       java -jar DiffusionJ_.jar update-site OUT_DIR [--plugin-jar FILE] [--jars DIR | --classpath FILE]";

    private InstallCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length < 2 || !(args[0].equals("install") || args[0].equals("update-site"))) {
            err.println(USAGE);
            return 2;
        }
        List<String> rest = new ArrayList<>(Arrays.asList(args).subList(2, args.length));
        try {
            boolean all = rest.remove("--all-platforms");
            Path plugin = option(rest, "--plugin-jar").map(Path::of).orElseGet(InstallCommand::ownJar);
            List<Library> libraries = libraries(rest, plugin);
            if (!rest.isEmpty()) {
                throw new IllegalArgumentException("unknown arguments " + rest);
            }
            Path target = Path.of(args[1]);
            if (args[0].equals("install")) {
                out.println("diffusionj: " + Installer.install(target, plugin, libraries, all).summary());
            } else {
                List<UpdateSite.Entry> entries = UpdateSite.write(plugin, libraries, target, LocalDateTime.now());
                out.println("diffusionj: update site in " + target + ": " + entries.size() + " files (" + String.join(", ",
                        entries.stream().filter(e -> e.platform() != null).map(e -> e.platform().updaterName).distinct().toList())
                        + " natives); left out, as Fiji ships them: " + String.join(", ",
                        libraries.stream().filter(Library::fijiShips).map(Library::name).toList()));
            }
            return 0;
        } catch (IllegalArgumentException | UncheckedIOException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
    }

    private static java.util.Optional<String> option(List<String> rest, String flag) {
        int i = rest.indexOf(flag);
        if (i < 0) {
            return java.util.Optional.empty();
        }
        if (i + 1 >= rest.size()) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        String value = rest.get(i + 1);
        rest.subList(i, i + 2).clear();
        return java.util.Optional.of(value);
    }

    private static List<Library> libraries(List<String> rest, Path plugin) {
        java.util.Optional<String> jars = option(rest, "--jars");
        java.util.Optional<String> classpath = option(rest, "--classpath");
        if (jars.isPresent()) {
            return Library.fromFolder(Path.of(jars.get()));
        }
        if (classpath.isPresent()) {
            return Library.fromClassPathFile(Path.of(classpath.get()));
        }
        Path beside = plugin.toAbsolutePath().getParent();
        if (Files.isDirectory(beside.resolve("jars"))) {
            return Library.fromFolder(beside.resolve("jars"));
        }
        if (Files.isRegularFile(beside.resolve("classpath.txt"))) {
            return Library.fromClassPathFile(beside.resolve("classpath.txt"));
        }
        throw new IllegalArgumentException("no libraries beside " + plugin + " (a jars/ folder or classpath.txt); give --jars DIR or --classpath FILE");
    }

    /** The jar this class was loaded from. */
    private static Path ownJar() {
        try {
            Path self = Path.of(InstallCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isRegularFile(self)) {
                throw new IllegalArgumentException("not running from DiffusionJ's jar (" + self + "); give --plugin-jar FILE");
            }
            return self;
        } catch (URISyntaxException | SecurityException e) {
            throw new IllegalArgumentException("cannot tell where DiffusionJ's jar is; give --plugin-jar FILE");
        }
    }
}
