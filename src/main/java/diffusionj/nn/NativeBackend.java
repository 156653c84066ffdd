package diffusionj.nn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Chooses ND4J's native build before it loads: the oneDNN + AVX2 build where the processor has AVX2 and FMA
 * (oneDNN's convolutions run the narrow UNet layers at about 140 GFLOP/s on 2 cores, the generic build at
 * about 20), the generic x86-64 build elsewhere. A choice made with -Dorg.bytedeco.javacpp.platform.extension
 * is left alone.
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
    }

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
