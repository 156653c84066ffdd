package diffusionj.install;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Installs DiffusionJ into an existing Fiji (plugins/ and jars/) or ImageJ 1.x (ij.jar and plugins/) folder: the plugin
 * to plugins/, the libraries to jars/ (Fiji) or plugins/jars/ (ImageJ 1.x, whose plugin class loader looks one folder
 * deep), and native code only for the installation's platforms (its launchers say which; this machine's when it has
 * none; all with {@code allPlatforms}) — in Fiji under jars/PLATFORM/ as the Updater lays it out. A library the
 * installation already has in any version is kept, never joined by a second version; where that version differs from
 * ours the report says so.
 */
public final class Installer {
    /** What was done: the libraries copied, those kept (with the version we were built with where it differs). */
    public record Report(Path plugin, Path libraries, List<String> copied, List<String> kept, Set<Platform> platforms) {
        public String summary() {
            return "installed " + plugin + "; copied " + copied.size() + " jars to " + libraries + "/ (natives for "
                    + String.join(", ", platforms.stream().map(p -> p.classifier).toList()) + "), kept " + kept.size()
                    + " that the installation already has" + (kept.isEmpty() ? "" : ":\n  " + String.join("\n  ", kept));
        }
    }

    /** Each launcher a Fiji may have, and the platform it runs on (the ImageJ Updater's own table). */
    private static final Map<String, Set<Platform>> LAUNCHERS = Map.of(
            "fiji-linux-x64", Set.of(Platform.LINUX_X86_64), "ImageJ-linux64", Set.of(Platform.LINUX_X86_64),
            "fiji-linux-arm64", Set.of(Platform.LINUX_ARM64),
            "fiji-windows-x64.exe", Set.of(Platform.WINDOWS_X86_64), "ImageJ-win64.exe", Set.of(Platform.WINDOWS_X86_64),
            "Contents/MacOS", Set.of(Platform.MACOS_X86_64, Platform.MACOS_ARM64));

    private Installer() {
    }

    public static Report install(Path dir, Path pluginJar, List<Library> libraries, boolean allPlatforms) {
        boolean fiji = Files.isDirectory(dir.resolve("plugins")) && Files.isDirectory(dir.resolve("jars"));
        boolean imagej = Files.isDirectory(dir.resolve("plugins")) && Files.isRegularFile(dir.resolve("ij.jar"));
        if (!fiji && !imagej) {
            throw new IllegalArgumentException(dir + " is neither a Fiji folder (plugins/ and jars/) nor an ImageJ 1.x folder (ij.jar and plugins/)");
        }
        Set<Platform> platforms = allPlatforms ? EnumSet.allOf(Platform.class) : platforms(dir);
        Path libs = fiji ? dir.resolve("jars") : dir.resolve("plugins/jars");
        Map<String, String> present = installed(dir);
        List<String> copied = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        try {
            Files.copy(pluginJar, dir.resolve("plugins/DiffusionJ_.jar"), StandardCopyOption.REPLACE_EXISTING);
            for (Library l : libraries) {
                if (l.name().startsWith("slf4j-nop-") || l.platform().isPresent() && !platforms.contains(l.platform().get())) {
                    continue; // our command line's quiet logging (ImageJ and Fiji have their own); other platforms' natives
                }
                String theirs = present.get(Library.key(l.name()));
                if (theirs != null) {
                    kept.add(theirs + (theirs.endsWith(l.name()) ? "" : " (DiffusionJ was built with " + l.name() + ")"));
                    continue;
                }
                Path folder = fiji && l.platform().isPresent() ? libs.resolve(l.platform().get().updaterName) : libs;
                Files.createDirectories(folder);
                Files.copy(l.file(), folder.resolve(l.name()), StandardCopyOption.REPLACE_EXISTING);
                copied.add(dir.relativize(folder.resolve(l.name())).toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot install into " + dir + ": " + e.getMessage(), e);
        }
        return new Report(dir.relativize(dir.resolve("plugins/DiffusionJ_.jar")), dir.relativize(libs), copied, kept, platforms);
    }

    /** The platforms of the installation's launchers; this machine's when there are none. */
    static Set<Platform> platforms(Path dir) {
        Set<Platform> found = EnumSet.noneOf(Platform.class);
        LAUNCHERS.forEach((launcher, p) -> {
            if (Files.exists(dir.resolve(launcher))) {
                found.addAll(p);
            }
        });
        if (found.isEmpty()) {
            found.add(Platform.current().orElseThrow(() -> new IllegalArgumentException("ND4J has no native code for "
                    + System.getProperty("os.name") + " on " + System.getProperty("os.arch") + "; it has for "
                    + String.join(", ", Stream.of(Platform.values()).map(p -> p.classifier).toList()))));
        }
        return found;
    }

    /** Every jar under jars/ and plugins/ (and ij.jar), by {@link Library#key}: their paths relative to {@code dir}. */
    private static Map<String, String> installed(Path dir) {
        Map<String, String> present = new HashMap<>();
        if (Files.isRegularFile(dir.resolve("ij.jar"))) {
            present.put("ij", "ij.jar");
        }
        for (String folder : List.of("jars", "plugins")) {
            if (!Files.isDirectory(dir.resolve(folder))) {
                continue;
            }
            try (Stream<Path> files = Files.walk(dir.resolve(folder))) {
                files.filter(f -> f.getFileName().toString().endsWith(".jar") && !f.getFileName().toString().equals("DiffusionJ_.jar"))
                        .forEach(f -> present.putIfAbsent(Library.key(f.getFileName().toString()), dir.relativize(f).toString()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + dir.resolve(folder) + ": " + e.getMessage(), e);
            }
        }
        return present;
    }
}
