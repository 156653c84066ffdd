package diffusionj.nn;

/** The CPU-flag parsers, for tests in other packages. */
public final class CpuFeaturesAccess {
    private CpuFeaturesAccess() {
    }

    public static boolean macFeatures(String sysctl) {
        return CpuFeatures.macFeatures(sysctl);
    }

    public static boolean linuxFlags(String cpuinfo) {
        return CpuFeatures.linuxFlags(cpuinfo);
    }
}
