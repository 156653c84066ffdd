package diffusionj.ij;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs ImageJ 1.x in a separate JVM with DiffusionJ's menu installed as {@code bin/diffusionj run} has it for
 * macros: the classes on the class path and a plugins folder with DiffusionJ_.jar for its plugins.config. (How
 * installed plugins load, from plugins/ by ImageJ's own class loader, {@link UserLaunchTest} checks.) ImageJ
 * 1.x needs a display even in batch mode, so without one the JVM runs under xvfb-run (CI installs xvfb).
 */
final class ImageJProcess {
    record Result(int exitCode, String output) {
    }

    private ImageJProcess() {
    }

    static Result run(Path work, String mainClass, String... args) throws IOException, InterruptedException {
        Path home = work.resolve("imagej");
        Files.createDirectories(home.resolve("plugins"));
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(home.resolve("plugins/DiffusionJ_.jar")))) {
            jar.putNextEntry(new JarEntry("plugins.config"));
            jar.write(Files.readAllBytes(Path.of("plugins.config")));
            jar.closeEntry();
        }
        List<String> command = new ArrayList<>();
        if (System.getenv("DISPLAY") == null) {
            assertTrue(Files.isExecutable(Path.of("/usr/bin/xvfb-run")),
                    "ImageJ 1.x needs a display: install xvfb (apt-get install xvfb), as .ci/run does");
            command.addAll(List.of("xvfb-run", "-a", "-s", "-screen 0 1280x1024x24"));
        }
        String classPath = "target/classes" + java.io.File.pathSeparator + "target/test-classes" + java.io.File.pathSeparator
                + Files.readString(Path.of("target/classpath.txt")).strip();
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-Dorg.bytedeco.javacpp.maxbytes=3G", "-Dorg.bytedeco.javacpp.maxphysicalbytes=6G",
                "-Dplugins.dir=" + home.toAbsolutePath(), "-Duser.home=" + work.toAbsolutePath(), "-cp", classPath, mainClass));
        command.addAll(List.of(args));
        Path log = work.resolve("imagej-output.txt");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            fail("ImageJ did not finish within 300 s; output:\n" + Files.readString(log));
        }
        return new Result(p.exitValue(), Files.readString(log));
    }

    /** {@code bin/diffusionj run}'s way: batch mode, dialogs turned into errors. */
    static Result macro(Path work, Path macro, String arguments) throws IOException, InterruptedException {
        return run(work, BatchRunner.class.getName(), macro.toAbsolutePath().toString(), arguments);
    }

}
