package diffusionj.ij;

import diffusionj.Fixtures;
import net.imagej.patcher.LegacyInjector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * ImageJ started the three ways users start it, each with the built plugin jar where that installation keeps
 * plugins, and the {@link GuiTour} walking every menu command: the README's {@code bin/diffusionj gui}; a stock
 * ImageJ 1.x folder ({@code java -jar ij.jar}, only ij.jar on the class path, the plugin in plugins/ and its
 * libraries in plugins/jars/, laid out by {@code bin/diffusionj install}); and a Fiji-like folder (jars/ and
 * plugins/ on the class path, ImageJ patched by the legacy layer and a SciJava context made first, see
 * {@link FijiLikeLaunch}). The tour's own classes travel as one more jar beside the plugin. Screenshots of each
 * walk are kept in target/screenshots/LAUNCH.
 */
class UserLaunchTest {
    private static final Path ROOT = Path.of("").toAbsolutePath();

    @TempDir
    Path work;

    @Test
    void theReadmesGuiCommandRunsEveryMenuCommand() throws Exception {
        Path out = screenshots("gui");
        Path tourJar = ROOT.resolve("target/imagej/plugins/DiffusionJ_GuiTour.jar");
        try {
            writeTourJar(tourJar);
            Map<String, String> env = Map.of("DIFFUSIONJ_HEAP", "1g", "DIFFUSIONJ_OFFHEAP", "3G", "DIFFUSIONJ_PHYSICAL", "6G",
                    "JAVA_TOOL_OPTIONS", "-Duser.home=" + work);
            String output = launch(ROOT, env, withArgs(List.of(ROOT.resolve("bin/diffusionj").toString(), "gui"), out));
            assertWalked(out, output);
        } finally {
            Files.deleteIfExists(tourJar);
        }
    }

    @Test
    void aStockImageJFolderRunsEveryMenuCommand() throws Exception {
        Path imagej = work.resolve("ImageJ");
        Files.createDirectories(imagej.resolve("plugins"));
        Files.copy(jarOf(ij.IJ.class), imagej.resolve("ij.jar"));
        String installed = install(imagej);
        assertTrue(installed.contains("copied") && installed.contains("plugins/jars/"), installed);
        assertFalse(Files.exists(imagej.resolve("jars")), "a plain ImageJ folder gets no jars/ folder");
        writeTourJar(imagej.resolve("plugins/DiffusionJ_GuiTour.jar"));
        Path out = screenshots("imagej");
        List<String> command = new ArrayList<>(List.of(java(), "-Xmx1g", "-Dorg.bytedeco.javacpp.maxbytes=3G",
                "-Dorg.bytedeco.javacpp.maxphysicalbytes=6G", "-Duser.home=" + work, "-jar", "ij.jar"));
        assertWalked(out, launch(imagej, Map.of(), withArgs(command, out)));
    }

    @Test
    void aFijiLikeFolderRunsEveryMenuCommandInFijisContext() throws Exception {
        Path fiji = work.resolve("Fiji.app");
        Files.createDirectories(fiji.resolve("plugins"));
        Files.createDirectories(fiji.resolve("jars"));
        Files.copy(jarOf(ij.IJ.class), fiji.resolve("jars/ij-1.54f.jar"));
        Files.copy(jarOf(LegacyInjector.class), fiji.resolve("jars/ij1-patcher.jar"));
        Files.copy(jarOf(javassist.ClassPool.class), fiji.resolve("jars/javassist.jar"));
        String installed = install(fiji);
        assertTrue(installed.contains("copied") && installed.contains(" jars/"), installed);
        writeTourJar(fiji.resolve("jars/diffusionj-gui-tour.jar"));
        Path out = screenshots("fiji");
        List<String> classPath = new ArrayList<>();
        try (Stream<Path> jars = Stream.concat(Files.walk(fiji.resolve("jars")), Files.walk(fiji.resolve("plugins")))) {
            jars.filter(p -> p.toString().endsWith(".jar")).forEach(p -> classPath.add(p.toString()));
        }
        // Fiji's launcher opens java.lang to the legacy layer, whose injector looks for already loaded classes.
        List<String> command = new ArrayList<>(List.of(java(), "--add-opens=java.base/java.lang=ALL-UNNAMED", "-Xmx1g",
                "-Dorg.bytedeco.javacpp.maxbytes=3G", "-Dorg.bytedeco.javacpp.maxphysicalbytes=6G", "-Duser.home=" + work, "-Dplugins.dir=" + fiji,
                "-cp", String.join(File.pathSeparator, classPath), FijiLikeLaunch.class.getName(), out.toString(),
                Fixtures.path("sd1-tiny", "model").toAbsolutePath().toString(), Fixtures.path("gpt2-tiny", "model").toAbsolutePath().toString()));
        assertWalked(out, launch(fiji, Map.of(), command));
        assertEquals("DiffusionJ uses Fiji's context: true", Files.readString(out.resolve("context.txt")).strip());
    }

    private static void assertWalked(Path out, String output) throws IOException {
        List<String> tour = Files.readAllLines(out.resolve("tour.txt"));
        assertEquals("passed", tour.get(tour.size() - 1), "the tour: " + tour + "\noutput:\n" + output);
        assertFalse(output.contains("\tat "), "a stack trace in ImageJ's output:\n" + output);
        List<String> windows = Files.readAllLines(out.resolve("windows.txt"));
        String title = "a red circle on the left and a blue squa… (seed 42)";
        assertTrue(windows.contains("image: " + title + " [overlay 5]"), windows.toString());
        assertTrue(windows.contains("image: Token maps of " + title), windows.toString());
        assertTrue(windows.contains("image: Token labels of " + title), windows.toString());
        assertTrue(windows.contains("window: ROI Manager"), windows.toString());
        List<String> recorded = Files.readAllLines(out.resolve("recorded.txt"));
        assertTrue(recorded.get(0).startsWith("run(\"Generate Image...\", \"prompt=[a [red] circle, soft lighting] negative=blurry "), recorded.get(0));
        assertTrue(recorded.get(0).matches(".* seed=[0-9]+ .*"), "the random seed drawn is recorded: " + recorded.get(0));
        assertEquals("same pixels: true", recorded.get(1), "the recorded line re-makes the image: " + recorded.get(0));
        for (String shot : new String[]{"model-manager.png", "about.png", "generate-dialog.png", "plugin-result.png", "token-maps-dialog.png",
                "image-to-image-dialog.png", "inpaint-dialog.png", "save-dialog.png", "caption-completer.png"}) {
            BufferedImage image = ImageIO.read(out.resolve(shot).toFile());
            assertTrue(distinctColours(image) > 3, shot + " looks blank");
        }
    }

    /** ImageJ's own {@code -eval} argument starts the tour once ImageJ is up; {@code -port0} keeps it from another ImageJ. */
    private static List<String> withArgs(List<String> command, Path out) {
        List<String> c = new ArrayList<>(command);
        String call = String.format("call(\"%s.start\", \"%s\", \"%s\", \"%s\");", GuiTour.class.getName(), out,
                Fixtures.path("sd1-tiny", "model").toAbsolutePath(), Fixtures.path("gpt2-tiny", "model").toAbsolutePath());
        c.addAll(List.of("-port0", "-eval", call));
        return c;
    }

    private static String install(Path dir) throws Exception {
        return launch(ROOT, Map.of(), List.of(ROOT.resolve("bin/diffusionj").toString(), "install", dir.toString()));
    }

    /** Runs {@code command} in {@code dir} (under a virtual display when there is none); fails unless it exits 0. */
    private static String launch(Path dir, Map<String, String> env, List<String> command) throws Exception {
        List<String> full = new ArrayList<>();
        if (System.getenv("DISPLAY") == null) {
            assertTrue(Files.isExecutable(Path.of("/usr/bin/xvfb-run")),
                    "ImageJ needs a display: install xvfb (apt-get install xvfb), as .ci/run does");
            full.addAll(List.of("xvfb-run", "-a", "-s", "-screen 0 1280x1024x24"));
        }
        full.addAll(command);
        Path log = Files.createTempFile("launch", ".txt");
        ProcessBuilder pb = new ProcessBuilder(full).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(600, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            fail("did not finish within 600 s: " + full + "\n" + Files.readString(log));
        }
        String output = Files.readString(log);
        assertEquals(0, p.exitValue(), full + "\n" + output);
        return output;
    }

    /** The tour's classes, as a jar of their own. */
    private static void writeTourJar(Path jar) throws IOException {
        Path classes = ROOT.resolve("target/test-classes");
        Files.createDirectories(jar.getParent());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
             Stream<Path> files = Files.list(classes.resolve("diffusionj/ij"))) {
            for (Path f : files.filter(f -> f.getFileName().toString().matches("(GuiTour|FijiLikeLaunch).*\\.class")).toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace(File.separatorChar, '/')));
                out.write(Files.readAllBytes(f));
                out.closeEntry();
            }
        }
    }

    private static Path screenshots(String launch) throws IOException {
        Path out = ROOT.resolve("target/screenshots").resolve(launch);
        if (Files.exists(out)) {
            try (Stream<Path> old = Files.list(out)) {
                for (Path f : old.toList()) {
                    Files.delete(f);
                }
            }
        }
        return Files.createDirectories(out);
    }

    private static Path jarOf(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static long distinctColours(BufferedImage image) {
        return java.util.Arrays.stream(image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth())).distinct().count();
    }
}
