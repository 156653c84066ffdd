package diffusionj.install;

import diffusionj.nn.CpuFeaturesAccess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The plain-Java installer on mock installations with jars of their own: no second version of a library, the
 * installation's platforms' natives where Fiji keeps them, the rest left out, a report of what was copied and kept.
 */
class InstallerTest {
    @TempDir
    Path work;

    private static final List<String> OURS = List.of("imglib2-7.1.2.jar", "gson-2.10.1.jar", "nd4j-api-1.0.0-M2.1.jar", "javacpp-1.5.7.jar",
            "slf4j-nop-1.7.36.jar", "javacpp-1.5.7-windows-x86_64.jar", "nd4j-native-1.0.0-M2.1-windows-x86_64-onednn-avx2.jar",
            "nd4j-native-1.0.0-M2.1-windows-x86_64.jar", "nd4j-native-1.0.0-M2.1-linux-x86_64.jar", "openblas-0.3.19-1.5.7-macosx-arm64.jar",
            "nd4j-native-1.0.0-M2.1-macosx-x86_64.jar");

    private List<Library> libraries() throws Exception {
        Path repo = Files.createDirectories(work.resolve("repo"));
        for (String name : OURS) {
            Files.write(repo.resolve(name), name.getBytes());
        }
        return Library.fromFolder(repo);
    }

    private Path plugin() throws Exception {
        return Files.write(work.resolve("DiffusionJ_.jar"), new byte[]{1});
    }

    private static List<String> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString().replace('\\', '/')).sorted().toList();
        }
    }

    @Test
    void aWindowsFijiGetsItsNativesAndKeepsItsOwnVersions() throws Exception {
        Path fiji = Files.createDirectories(work.resolve("Fiji.app"));
        Files.createDirectories(fiji.resolve("plugins"));
        Files.createDirectories(fiji.resolve("jars"));
        Files.write(fiji.resolve("fiji-windows-x64.exe"), new byte[0]);
        Files.write(fiji.resolve("jars/imglib2-6.1.0.jar"), new byte[0]);
        Files.write(fiji.resolve("jars/gson-2.10.1.jar"), new byte[0]);

        Installer.Report r = Installer.install(fiji, plugin(), libraries(), false);
        List<String> after = files(fiji);
        assertEquals(List.of("fiji-windows-x64.exe", "jars/gson-2.10.1.jar", "jars/imglib2-6.1.0.jar", "jars/javacpp-1.5.7.jar",
                "jars/nd4j-api-1.0.0-M2.1.jar", "jars/win64/javacpp-1.5.7-windows-x86_64.jar",
                "jars/win64/nd4j-native-1.0.0-M2.1-windows-x86_64-onednn-avx2.jar", "jars/win64/nd4j-native-1.0.0-M2.1-windows-x86_64.jar",
                "plugins/DiffusionJ_.jar"), after);
        assertEquals(Set.of(Platform.WINDOWS_X86_64), r.platforms());
        assertTrue(r.summary().contains("jars/imglib2-6.1.0.jar (DiffusionJ was built with imglib2-7.1.2.jar)"), r.summary());
        assertTrue(r.summary().contains("copied 5 jars to jars/ (natives for windows-x86_64), kept 2"), r.summary());
    }

    @Test
    void aMacFijiGetsBothMacArchitecturesAndAllPlatformsOnRequest() throws Exception {
        Path fiji = Files.createDirectories(work.resolve("Fiji.app"));
        Files.createDirectories(fiji.resolve("plugins"));
        Files.createDirectories(fiji.resolve("jars"));
        Files.createDirectories(fiji.resolve("Contents/MacOS"));
        Installer.install(fiji, plugin(), libraries(), false);
        List<String> mac = files(fiji);
        assertTrue(mac.contains("jars/macos-arm64/openblas-0.3.19-1.5.7-macosx-arm64.jar") && mac.contains("jars/macos64/nd4j-native-1.0.0-M2.1-macosx-x86_64.jar"), mac.toString());
        assertFalse(mac.stream().anyMatch(f -> f.contains("win64") || f.contains("linux64")), mac.toString());

        Installer.install(fiji, plugin(), libraries(), true);
        assertTrue(files(fiji).contains("jars/linux64/nd4j-native-1.0.0-M2.1-linux-x86_64.jar"));
    }

    @Test
    void plainImageJKeepsLibrariesOneFolderDeepAndOtherFoldersAreRefused() throws Exception {
        Path imagej = Files.createDirectories(work.resolve("ImageJ"));
        Files.createDirectories(imagej.resolve("plugins"));
        Files.write(imagej.resolve("ij.jar"), new byte[0]);
        Installer.install(imagej, plugin(), libraries(), true);
        List<String> after = files(imagej);
        assertTrue(after.contains("plugins/jars/nd4j-native-1.0.0-M2.1-windows-x86_64.jar"), after.toString());
        assertTrue(after.stream().filter(f -> f.startsWith("plugins/jars/")).noneMatch(f -> f.substring("plugins/jars/".length()).contains("/")),
                "ImageJ 1.x's plugin class loader looks only one folder deep: " + after);

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = InstallCommand.run(new String[]{"install", work.resolve("nothing").toString(), "--jars", work.resolve("repo").toString(),
                "--plugin-jar", plugin().toString()}, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(1, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("neither a Fiji folder (plugins/ and jars/) nor an ImageJ 1.x folder"), err.toString());
    }

    @Test
    void nativeJarNamesTellTheirPlatformAndLibraryKey() {
        assertEquals(Platform.MACOS_X86_64, Platform.ofJar("nd4j-native-1.0.0-M2.1-macosx-x86_64-onednn-avx2.jar").orElseThrow());
        assertTrue(Platform.ofJar("nd4j-native-1.0.0-M2.1.jar").isEmpty());
        assertEquals("javacpp:linux-x86_64", Library.key("javacpp-1.5.7-linux-x86_64.jar"));
        assertEquals("javacpp", Library.key("javacpp-1.5.10.jar"));
        assertEquals("commons-math3", Library.key("commons-math3-3.6.1.jar"));
        assertEquals("nd4j-native:linux-x86_64-onednn-avx2", Library.key("nd4j-native-1.0.0-M2.1-linux-x86_64-onednn-avx2.jar"));
        assertTrue(CpuFeaturesAccess.macFeatures("FPU VME FMA SSE4.2 AVX1.0\nSMEP BMI1 AVX2 BMI2"));
        assertFalse(CpuFeaturesAccess.macFeatures("FPU VME SSE4.2 AVX1.0\nSMEP BMI1"));
        assertTrue(CpuFeaturesAccess.linuxFlags("processor: 0\nflags\t: fpu sse avx fma avx2 bmi2\n"));
        assertFalse(CpuFeaturesAccess.linuxFlags("flags\t: fpu sse avx fma\n"));
    }
}
