package diffusionj.nn;

import org.nd4j.common.config.ND4JClassLoading;


/**
 * Prepares ND4J before it loads. It chooses the native build: the oneDNN + AVX2 build where the processor has AVX2
 * and FMA (oneDNN's convolutions run the narrow UNet layers at about 140 GFLOP/s on 2 cores, the generic build at
 * about 20), the generic build elsewhere (arm64, and x86-64 without them; {@link CpuFeatures} asks each operating system);
 * a choice made with -Dorg.bytedeco.javacpp.platform.extension is left alone. The choice is logged once. And it has ND4J look for its backend through the class loader that loaded DiffusionJ: in plain
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
        if (!chosen) {
            chosen = true;
            String asked = System.getProperty(PROPERTY);
            boolean avx2 = asked == null && hasAvx2AndFma();
            if (avx2) {
                System.setProperty(PROPERTY, ONEDNN_AVX2);
            }
            // One line on standard error (the console in Fiji), before ND4J's own start-up lines.
            System.err.println("DiffusionJ: " + (asked != null
                    ? "ND4J native build: '" + asked + "' as set by -D" + PROPERTY
                    : avx2 ? "ND4J native build: oneDNN + AVX2 (the processor has AVX2 and FMA; -D" + PROPERTY + "= for the generic one)"
                    : "ND4J native build: generic (no AVX2 and FMA found, or not x86-64)"));
        }
        ND4JClassLoading.setNd4jClassloader(NativeBackend.class.getClassLoader());
        if (!mallocConfigured) {
            mallocConfigured = true;
            MallocSettings.returnLargeBlocksAtOnce();
        }
    }

    private static boolean mallocConfigured;
    private static boolean chosen;

    static boolean hasAvx2AndFma() {
        return CpuFeatures.hasAvx2AndFma();
    }
}
