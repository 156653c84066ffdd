package diffusionj.install;

import java.util.Locale;
import java.util.Optional;

/**
 * The platforms ND4J publishes native code for, by their two names: JavaCPP's classifier (the end of a native jar's
 * name) and the ImageJ Updater's (the folder under {@code jars/} where Fiji keeps a platform's native jars).
 */
public enum Platform {
    LINUX_X86_64("linux-x86_64", "linux64"),
    LINUX_ARM64("linux-arm64", "linux-arm64"),
    WINDOWS_X86_64("windows-x86_64", "win64"),
    MACOS_X86_64("macosx-x86_64", "macos64"),
    MACOS_ARM64("macosx-arm64", "macos-arm64");

    public final String classifier;
    public final String updaterName;

    Platform(String classifier, String updaterName) {
        this.classifier = classifier;
        this.updaterName = updaterName;
    }

    /** The platform a jar's native code is for, from its file name ("…-windows-x86_64.jar", "…-macosx-x86_64-onednn-avx2.jar"). */
    public static Optional<Platform> ofJar(String fileName) {
        for (Platform p : values()) {
            if (fileName.endsWith("-" + p.classifier + ".jar") || fileName.contains("-" + p.classifier + "-")) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** This JVM's platform, if ND4J has natives for it. */
    public static Optional<Platform> current() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        boolean x64 = arch.equals("amd64") || arch.equals("x86_64");
        boolean arm = arch.equals("aarch64") || arch.equals("arm64");
        if (os.startsWith("linux")) {
            return x64 ? Optional.of(LINUX_X86_64) : arm ? Optional.of(LINUX_ARM64) : Optional.empty();
        }
        if (os.startsWith("mac")) {
            return x64 ? Optional.of(MACOS_X86_64) : arm ? Optional.of(MACOS_ARM64) : Optional.empty();
        }
        if (os.startsWith("windows")) {
            return x64 ? Optional.of(WINDOWS_X86_64) : Optional.empty();
        }
        return Optional.empty();
    }
}
