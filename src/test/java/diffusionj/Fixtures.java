package diffusionj;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The reference fixtures in {@code ../shared/fixtures} (or the folder named by {@code -Dfixtures.dir}).
 * A missing folder fails the test with the place it looked: parity is never skipped silently.
 */
public final class Fixtures {
    private Fixtures() {
    }

    public static Path root() {
        Path root = Path.of(System.getProperty("fixtures.dir", "../shared/fixtures")).toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            fail("reference fixtures not found at " + root + " (set -Dfixtures.dir=DIR to point elsewhere)");
        }
        return root;
    }

    /** A file or folder of a fixture set, e.g. {@code path("sd1-tiny", "golden/vae.safetensors")}. */
    public static Path path(String set, String relative) {
        Path p = root().resolve(set).resolve(relative);
        if (!Files.exists(p)) {
            fail("fixture missing: " + p);
        }
        return p;
    }

    /** SDXL's added UNet inputs (pooled text vector, sizes) where a golden file has them; empty for SD 1.x/2.x files. */
    public static java.util.Map<String, org.nd4j.linalg.api.ndarray.INDArray> unetAddedInputs(diffusionj.io.Safetensors golden) {
        java.util.Map<String, org.nd4j.linalg.api.ndarray.INDArray> added = new java.util.HashMap<>();
        for (String key : new String[]{diffusionj.unet.UNet2DConditionModel.TEXT_EMBEDS, diffusionj.unet.UNet2DConditionModel.TIME_IDS}) {
            if (golden.contains(key)) {
                added.put(key, golden.load(key));
            }
        }
        return added;
    }
}
