package diffusionj.install;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One jar DiffusionJ needs at run time: its file, the platform its native code is for (none for plain Java), and
 * whether Fiji ships it itself (install/fiji-ships.txt: those are never shipped again).
 */
public record Library(Path file, Optional<Platform> platform, boolean fijiShips) {
    public String name() {
        return file.getFileName().toString();
    }

    /**
     * The artifact's name without version and classifier ("imglib2-7.1.2.jar" → "imglib2"): how an installation's
     * other version of the same library is recognised.
     */
    public static String artifact(String fileName) {
        String stem = fileName.endsWith(".jar") ? fileName.substring(0, fileName.length() - 4) : fileName;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("-\\d").matcher(stem);
        return m.find() ? stem.substring(0, m.start()) : stem;
    }

    /**
     * What identifies the library across versions: the artifact, plus the native classifier for a platform's jar
     * ("javacpp-1.5.7-linux-x86_64.jar" → "javacpp:linux-x86_64", not the same library as "javacpp-1.5.7.jar").
     */
    public static String key(String fileName) {
        Optional<Platform> p = Platform.ofJar(fileName);
        if (p.isEmpty()) {
            return artifact(fileName);
        }
        String classifier = fileName.substring(fileName.indexOf("-" + p.get().classifier) + 1, fileName.length() - ".jar".length());
        return artifact(fileName) + ":" + classifier;
    }

    /** The jars listed in a class-path file (Maven's build-classpath output, as target/classpath.txt). */
    public static List<Library> fromClassPathFile(Path classpath) {
        try {
            String text = Files.readString(classpath, StandardCharsets.UTF_8).strip();
            return of(Stream.of(text.split(java.io.File.pathSeparator)).filter(p -> p.endsWith(".jar")).map(Path::of).toList());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the class path file " + classpath + ": " + e.getMessage(), e);
        }
    }

    /** The jars of a folder and its subfolders (a distribution's jars/). */
    public static List<Library> fromFolder(Path folder) {
        try (Stream<Path> files = Files.walk(folder)) {
            return of(files.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted().toList());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder + ": " + e.getMessage(), e);
        }
    }

    static List<Library> of(List<Path> jars) {
        Set<String> shipped = shippedByFiji();
        List<Library> out = new ArrayList<>();
        for (Path jar : jars) {
            String name = jar.getFileName().toString();
            out.add(new Library(jar, Platform.ofJar(name), shipped.contains(name)));
        }
        return out;
    }

    /** File names ("gson-2.10.1.jar") of the jars Fiji ships. */
    static Set<String> shippedByFiji() {
        try (InputStream in = Library.class.getResourceAsStream("/install/fiji-ships.txt")) {
            if (in == null) {
                throw new IllegalStateException("install/fiji-ships.txt is missing from DiffusionJ's jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                    .map(l -> l.split(":")).map(f -> f[1] + "-" + f[2] + ".jar").collect(Collectors.toSet());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
