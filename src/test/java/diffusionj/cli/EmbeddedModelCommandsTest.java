package diffusionj.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import diffusionj.io.JsonFiles;
import diffusionj.io.PngFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The model shipped in the jar: the default of generate, deterministic for a seed, and measurable by evaluate-embedded. */
class EmbeddedModelCommandsTest {
    private static final String PROMPT = "a big red circle on the left and a small blue square in the top right";

    @TempDir
    Path dir;

    @Test
    void generateWithoutAModelUsesTheEmbeddedOneAtItsOwnSizeAndASeedFixesThePicture() throws Exception {
        int[][] pixels = new int[3][];
        String[][] runs = {{"--seed", "42"}, {"--seed", "42", "--model", "embedded"}, {"--seed", "43"}};
        for (int i = 0; i < runs.length; i++) {
            Path png = dir.resolve(i + ".png");
            String[] argv = {"generate", "--prompt", PROMPT, "--sampler", "ddim", "--steps", "12", "--cfg", "5", "--out", png.toString(),
                    "--maps", dir.resolve("maps" + i).toString()};
            CliTest.Run r = CliTest.run(concat(argv, runs[i]));
            assertEquals(0, r.code(), r.err());
            JsonObject summary = JsonParser.parseString(r.out()).getAsJsonObject();
            assertEquals(png.toString(), summary.getAsJsonArray("images").get(0).getAsString());
            BufferedImage image = ImageIO.read(png.toFile());
            assertEquals(64, image.getWidth());
            assertEquals(64, image.getHeight());
            assertTrue(PngFiles.readText(png, "parameters").contains("Model: embedded"), PngFiles.readText(png, "parameters"));
            assertTrue(Files.isRegularFile(dir.resolve("maps" + i).resolve("word-circle.png")));
            pixels[i] = image.getRGB(0, 0, 64, 64, null, 0, 64);
        }
        assertArrayEquals(pixels[0], pixels[1]);
        assertFalse(java.util.Arrays.equals(pixels[0], pixels[2]), "another seed, another picture");
    }

    @Test
    void evaluateEmbeddedPrintsTheTableWithItsTargets() {
        CliTest.Run r = CliTest.run("evaluate-embedded", "--count", "2", "--steps", "4", "--seed", "5");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("2 held-out captions"), r.out());
        for (String row : new String[]{"named colour and shape present | ", "≥ 80 %", "≥ 70 %", "≤ 10 %", "≥ 0.65"}) {
            assertTrue(r.out().contains(row), row + " in\n" + r.out());
        }
    }

    @Test
    void denoisingProbePrintsARowPerNoiseLevel() throws Exception {
        for (int i = 0; i < 2; i++) {
            ImageIO.write(new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB), "png", dir.resolve(i + ".png").toFile());
            Files.writeString(dir.resolve(i + ".txt"), "a big red circle");
        }
        CliTest.Run r = CliTest.run("denoising-probe", "--data", dir.toString(), "--count", "2");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("2 images of " + dir + ", noise seed 0, model embedded (sample)"), r.out());
        assertEquals(8, r.out().lines().filter(l -> l.matches("\\| \\d+ \\| .*%.*\\|")).count(), r.out());
        CliTest.Run missing = CliTest.run("denoising-probe", "--data", dir.resolve("none").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("training data folder not found"), missing.err());
    }

    @Test
    void anAutoencoderTrainedFromTheCommandLineIsMeasuredOnHeldOutScenes() {
        Path shapes = dir.resolve("ae-shapes");
        Path run = dir.resolve("ae-run");
        assertEquals(0, CliTest.run("make-shapes", "--out", shapes.toString(), "--count", "4", "--size", "32", "--seed", "2").code());
        CliTest.Run trained = CliTest.run("train-autoencoder", "--data", shapes.toString(), "--out", run.toString(), "--size", "32",
                "--steps", "2", "--batch", "2", "--latent-channels", "4", "--width", "8", "--layers-per-block", "2");
        assertEquals(0, trained.code(), trained.err());
        assertTrue(trained.err().contains("step 2/2"), trained.err());
        JsonObject config = JsonFiles.readObject(run.resolve("vae").resolve("config.json"));
        assertEquals("[8,16,32]", config.get("block_out_channels").toString());
        assertEquals(2, config.get("layers_per_block").getAsInt());
        assertEquals(4, config.get("latent_channels").getAsInt());
        CliTest.Run r = CliTest.run("evaluate-embedded", "--autoencoder", run.toString(), "--count", "3");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("3 held-out scenes, "), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("\\| drawn \\| 100\\.0 % .*")), "the checker reads drawn scenes:\n" + r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("| reconstructed | ")), r.out());
        CliTest.Run none = CliTest.run("evaluate-embedded", "--autoencoder", shapes.toString(), "--count", "3");
        assertEquals(1, none.code());
        assertTrue(none.err().contains("expected config.json and diffusion_pytorch_model.safetensors"), none.err());
    }

    @Test
    void trainingCommandsNameWhatIsWrong() throws Exception {
        CliTest.Run noData = CliTest.run("train-autoencoder", "--data", dir.resolve("none").toString(), "--out", dir.resolve("ae").toString());
        assertEquals(1, noData.code());
        assertTrue(noData.err().contains("training data folder not found"), noData.err());
        CliTest.Run oddSize = CliTest.run("train-autoencoder", "--data", dir.toString(), "--out", dir.resolve("ae").toString(), "--size", "30");
        assertEquals(2, oddSize.code());
        assertTrue(oddSize.err().contains("--size must be a multiple of 4"), oddSize.err());
        CliTest.Run oddWidth = CliTest.run("train-autoencoder", "--data", dir.toString(), "--out", dir.resolve("ae").toString(), "--width", "12");
        assertEquals(2, oddWidth.code());
        assertTrue(oddWidth.err().contains("--width must be a multiple of 8 (the group norms' groups), got 12"), oddWidth.err());
        CliTest.Run both = CliTest.run("train", "--data", dir.toString(), "--out", dir.resolve("run").toString(), "--resume", "--autoencoder",
                dir.toString());
        assertEquals(1, both.code());
        assertTrue(both.err().contains("--autoencoder chooses the latent space of a new model"), both.err());
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
