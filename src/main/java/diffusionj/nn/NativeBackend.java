package diffusionj.nn;

import org.nd4j.common.config.ND4JClassLoading;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Prepares ND4J before it loads. It chooses the native build: the oneDNN + AVX2 build where the processor has AVX2
 * and FMA (oneDNN's convolutions run the narrow UNet layers at about 140 GFLOP/s on 2 cores, the generic build at
 * about 20), the generic x86-64 build elsewhere; a choice made with -Dorg.bytedeco.javacpp.platform.extension is
 * left alone. And it has ND4J look for its backend through the class loader that loaded DiffusionJ: in plain
 * ImageJ 1.x that is the plugin class loader of plugins/ (ND4J may lie in plugins/jars/), which ND4J's default
 * cannot see into ("no ND4J backend"). And it sets the C allocator up to give freed memory back ({@link MallocSettings}).
 */
public final class NativeBackend {
    static final String PROPERTY = "org.bytedeco.javacpp.platform.extension";
    static final String ONEDNN_AVX2 = "-onednn-avx2";

    private NativeBackend() {
    }

    /** Call before the first ND4J operation. */
    public static synchronized void configure() {
        if (System.getProperty(PROPERTY) == null && hasAvx2AndFma()) {
            System.setProperty(PROPERTY, ONEDNN_AVX2);
        }
        ND4JClassLoading.setNd4jClassloader(NativeBackend.class.getClassLoader());
        if (!mallocConfigured) {
            mallocConfigured = true;
            MallocSettings.returnLargeBlocksAtOnce();
        }
    }

    private static boolean mallocConfigured;

    static boolean hasAvx2AndFma() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags")) {
                    return line.contains(" avx2") && line.contains(" fma");
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }
}
