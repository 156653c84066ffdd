package diffusionj.nn;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Whether this x86-64 processor has AVX2 and FMA, the instructions ND4J's oneDNN + AVX2 build needs, asked the way each
 * operating system answers: Linux in /proc/cpuinfo, macOS through {@code sysctl}, Windows through
 * {@code IsProcessorFeaturePresent} (its AVX2 flag; every processor with AVX2 also has FMA3). Any doubt is a no: the
 * generic build runs everywhere, the AVX2 one would stop the JVM with an illegal instruction.
 */
final class CpuFeatures {
    /** Windows' PF_AVX2_INSTRUCTIONS_AVAILABLE. */
    private static final int PF_AVX2 = 40;

    private CpuFeatures() {
    }

    /** The one Windows call needed, through JNA (ND4J brings it); loaded only on Windows. */
    private interface Kernel32 extends com.sun.jna.Library {
        Kernel32 INSTANCE = com.sun.jna.Native.load("kernel32", Kernel32.class);

        boolean IsProcessorFeaturePresent(int feature);
    }

    static boolean hasAvx2AndFma() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!(arch.equals("amd64") || arch.equals("x86_64"))) {
            return false;
        }
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        try {
            if (os.startsWith("linux")) {
                return linuxFlags(Files.readString(Path.of("/proc/cpuinfo")));
            }
            if (os.startsWith("mac")) {
                return macFeatures(sysctl());
            }
            if (os.startsWith("windows")) {
                return Kernel32.INSTANCE.IsProcessorFeaturePresent(PF_AVX2);
            }
        } catch (IOException | RuntimeException | LinkageError e) {
            return false;
        }
        return false;
    }

    /** The first "flags" line of /proc/cpuinfo names avx2 and fma. */
    static boolean linuxFlags(String cpuinfo) {
        for (String line : cpuinfo.split("\n")) {
            if (line.startsWith("flags")) {
                String flags = line + " ";
                return flags.contains(" avx2 ") && flags.contains(" fma ");
            }
        }
        return false;
    }

    /** {@code sysctl machdep.cpu.features machdep.cpu.leaf7_features} names FMA (leaf 1) and AVX2 (leaf 7). */
    static boolean macFeatures(String sysctl) {
        String words = " " + sysctl.toUpperCase(Locale.ROOT).replace('\n', ' ') + " ";
        return words.contains(" FMA ") && words.contains(" AVX2 ");
    }

    private static String sysctl() throws IOException {
        Process p = new ProcessBuilder("sysctl", "-n", "machdep.cpu.features", "machdep.cpu.leaf7_features").redirectErrorStream(true).start();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}
