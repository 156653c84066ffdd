package diffusionj.train;

import com.google.gson.JsonObject;
import diffusionj.io.CheckpointException;
import diffusionj.io.JsonFiles;
import diffusionj.io.Safetensors;
import diffusionj.io.WeightSource;
import diffusionj.nn.WeightStore;
import diffusionj.pipeline.GenerationRequest;
import diffusionj.pipeline.GenerationResult;
import diffusionj.pipeline.Pipeline;
import diffusionj.pipeline.ProgressListener;
import diffusionj.pipeline.RunOptions;
import diffusionj.pipeline.StableDiffusion;
import diffusionj.vae.AutoencoderKL;
import diffusionj.vae.VaeConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A few steps of {@code train-autoencoder} on a handful of drawn scenes: the loss falls, the export is a diffusers
 * autoencoder with the scaling factor of its latents, resuming is exact, and {@code train --autoencoder} makes a
 * text-to-image model that diffuses in its latent space and generates through it.
 */
class AutoencoderRunTest {
    private static final int SIZE = 32;
    private static final int STEPS = 8;
    private static final int LATENT_CHANNELS = 8;

    @TempDir
    static Path dir;
    static Path data;
    static Path full;
    static String log;

    @BeforeAll
    static void trainOnEightScenes() throws IOException {
        data = DrawnScenes.write(dir.resolve("data"), 8, SIZE, 5);
        full = dir.resolve("full");
        log = train(full, false, STEPS);
    }

    private static String train(Path out, boolean resume, long stopAfter) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AutoencoderRun.run(data, out, TrainingSettings.defaults(STEPS, 4, SIZE, 3).withLearningRate(2e-3, 2), AutoencoderShape.defaults(LATENT_CHANNELS), 4, resume,
                new PrintStream(bytes, true), stopAfter);
        return bytes.toString();
    }

    private static List<Double> losses(Path run) throws IOException {
        return Files.readAllLines(run.resolve("loss.csv")).stream().skip(1).map(l -> Double.parseDouble(l.split(",")[1])).toList();
    }

    @Test
    void theLossFallsAndReconstructionsAreDrawn() throws IOException {
        List<Double> loss = losses(full);
        assertEquals(STEPS, loss.size());
        assertTrue((loss.get(STEPS - 2) + loss.get(STEPS - 1)) / 2 < 0.9 * loss.get(0), "loss should fall: " + loss + "\n" + log);
        BufferedImage grid = ImageIO.read(full.resolve("samples/step-000008.png").toFile());
        assertEquals(8 * SIZE, grid.getWidth(), "eight training images side by side");
        assertEquals(2 * SIZE, grid.getHeight(), "above their reconstructions");
        assertTrue(Files.isRegularFile(full.resolve("samples/step-000004.png")));
        assertTrue(log.lines().anyMatch(l -> l.matches("step 8/8 .* s/step +[0-9.]+ images/s +ETA .*")), "progress shows images/s and ETA:\n" + log);
    }

    @Test
    void theExportIsAnAutoencoderWhoseScaledLatentsHaveUnitSpread() {
        Path vae = full.resolve("vae");
        JsonObject json = JsonFiles.readObject(vae.resolve("config.json"));
        assertEquals("AutoencoderKL", json.get("_class_name").getAsString());
        VaeConfig config = VaeConfig.fromJson(json);
        try (Safetensors file = Safetensors.open(vae.resolve("diffusion_pytorch_model.safetensors"))) {
            AutoencoderKL model = new AutoencoderKL(config, new WeightStore(WeightSource.identity(file, "vae")));
            INDArray images = ImageCaptionFolder.load(data, SIZE).images();
            INDArray latents = model.encode(images);
            assertArrayEquals(new long[]{8, LATENT_CHANNELS, SIZE / 4, SIZE / 4}, latents.shape());
            assertEquals(1.0, latents.stdNumber().doubleValue() * config.scalingFactor(), 1e-3);
            assertArrayEquals(images.shape(), model.decode(latents).shape());
        }
    }

    @Test
    void aResumedRunContinuesTheUninterruptedOne() throws IOException {
        Path split = dir.resolve("split");
        train(split, false, STEPS / 2);
        String resumed = train(split, true, STEPS);
        assertTrue(resumed.contains("resuming at step 4 of 8"), resumed);
        List<Double> a = losses(full);
        List<Double> b = losses(split);
        for (int i = 0; i < STEPS; i++) {
            assertEquals(a.get(i), b.get(i), 1e-4 * a.get(i), "loss of step " + (i + 1) + ": uninterrupted " + a + ", resumed " + b);
        }
    }

    @Test
    void aTextToImageModelDiffusesInItsLatentSpace() throws IOException {
        Path run = dir.resolve("latent-diffusion");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TrainingRun.run(data, run, TrainingSettings.defaults(2, 4, SIZE, 7), 2, new RunStart(false, null, full), new PrintStream(bytes, true));
        Path model = run.resolve("model");
        JsonObject unet = JsonFiles.readObject(model.resolve("unet/config.json"));
        assertEquals(LATENT_CHANNELS, unet.get("in_channels").getAsInt());
        assertEquals(SIZE / 4, unet.get("sample_size").getAsInt());
        assertEquals("AutoencoderKL", JsonFiles.readObject(model.resolve("model_index.json")).getAsJsonArray("vae").get(1).getAsString());
        assertFalse(JsonFiles.readObject(model.resolve("scheduler/scheduler_config.json")).get("clip_sample").getAsBoolean(),
                "latents have no known range to clip x̂₀ to");
        assertEquals(Files.readString(full.resolve("vae/config.json")), Files.readString(model.resolve("vae/config.json")));
        try (StableDiffusion sd = StableDiffusion.load(model, null)) {
            assertTrue(sd.vae() instanceof AutoencoderKL);
            Pipeline pipeline = new Pipeline(sd);
            GenerationRequest request = new GenerationRequest("a big red circle", "", "ddim", 3, 5, 11, 64, 64, 1, 1);
            GenerationResult a = pipeline.generate(request, false, RunOptions.NONE, ProgressListener.NONE, () -> false);
            GenerationResult b = pipeline.generate(request, false, RunOptions.NONE, ProgressListener.NONE, () -> false);
            assertArrayEquals(a.images().get(0).update(null).getCurrentStorageArray(), b.images().get(0).update(null).getCurrentStorageArray());
        }
    }

    @Test
    void anAutoencoderGoesOnlyWithANewModel() throws IOException {
        CheckpointException resume = assertThrows(CheckpointException.class, () -> new RunStart(true, null, full));
        assertTrue(resume.getMessage().contains("--autoencoder"), resume.getMessage());
        Path empty = Files.createDirectories(dir.resolve("not-an-autoencoder"));
        CheckpointException missing = assertThrows(CheckpointException.class, () -> AutoencoderRun.copy(empty, dir.resolve("copy")));
        assertTrue(missing.getMessage().contains("no config.json"), missing.getMessage());
    }
}
