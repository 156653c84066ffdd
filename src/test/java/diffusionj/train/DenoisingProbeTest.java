package diffusionj.train;

import diffusionj.io.EmbeddedModel;
import diffusionj.pipeline.StableDiffusion;
import diffusionj.shapes.Scene;
import diffusionj.shapes.SceneRenderer;
import diffusionj.shapes.SceneSampler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import javax.imageio.ImageIO;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The probe on the shipped model and six drawn scenes: its two model-free baselines are what the algebra says. */
class DenoisingProbeTest {
    private static final int SIZE = 64;

    @TempDir
    static Path data;
    static StableDiffusion model;
    static ImageCaptionFolder scenes;

    @BeforeAll
    static void drawScenes() throws IOException {
        SceneSampler sampler = new SceneSampler(11);
        for (int i = 0; i < 6; i++) {
            Scene scene = sampler.next();
            ImageIO.write(SceneRenderer.image(scene, SIZE), "png", data.resolve(i + ".png").toFile());
            Files.writeString(data.resolve(i + ".txt"), sampler.caption(scene));
        }
        model = StableDiffusion.load(EmbeddedModel.resolve(EmbeddedModel.NAME), null);
        scenes = ImageCaptionFolder.load(data, SIZE);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static List<DenoisingProbe.Row> probe(int[] timesteps, long seed) {
        return new DenoisingProbe(model).run(scenes.images(), scenes.captions(), timesteps, seed);
    }

    @Test
    void removingNoNoiseScoresTheNoiseLeftPlusTheSignalLost() {
        // x̂₀ = √ᾱ·x_t = ᾱ·x₀ + √ᾱ·√(1−ᾱ)·ε, so its error is (1−ᾱ)²·E[x₀²] + ᾱ(1−ᾱ) up to the cross term's sampling noise.
        INDArray x0 = model.vae().encode(scenes.images()).muli(model.vae().scalingFactor());
        double meanSquare = x0.mul(x0).meanNumber().doubleValue();
        int[] timesteps = {10, 300, 999};
        List<DenoisingProbe.Row> rows = probe(timesteps, 1);
        for (int i = 0; i < timesteps.length; i++) {
            double a = model.schedule().alphaCumprod(timesteps[i]);
            double expected = (1 - a) * (1 - a) * meanSquare + a * (1 - a);
            assertEquals(expected, rows.get(i).inputError(), 0.03 * expected, "t = " + timesteps[i]);
        }
    }

    @Test
    void theMeanColourBaselineIsTheImagesVarianceAboutTheirChannelMeans() {
        INDArray x0 = model.vae().encode(scenes.images()).muli(model.vae().scalingFactor());
        double variance = x0.sub(x0.mean(true, 2, 3)).norm2Number().doubleValue();
        variance = variance * variance / x0.length();
        for (DenoisingProbe.Row row : probe(new int[]{50, 800}, 2)) {
            assertEquals(variance, row.meanColourError(), 1e-5);
        }
    }

    @Test
    void theShippedModelBeatsBothBaselinesAtMidNoiseAndTheCaptionMovesItsPrediction() {
        for (DenoisingProbe.Row row : probe(new int[]{150, 500}, 3)) {
            assertTrue(row.modelError() < row.meanColourError() && row.modelError() < row.inputError(), row.toString());
            assertTrue(row.captionEffect() > 0.001 && row.captionEffect() < 1, row.toString());
        }
    }

    @Test
    void theSameSeedGivesTheSameTable() {
        int[] timesteps = {50, 950};
        assertEquals(probe(timesteps, 4), probe(timesteps, 4));
    }

    @Test
    void aTimestepOutsideTheScheduleIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> probe(new int[]{1000}, 0));
        assertTrue(e.getMessage().contains("timestep 1000"), e.getMessage());
    }

    @Test
    void aLimitedLoadReadsTheFirstPairsInNameOrder() {
        ImageCaptionFolder firstFour = ImageCaptionFolder.load(data, SIZE, 4);
        assertEquals(List.of("0", "1", "2", "3"), firstFour.names());
        assertEquals(scenes.captions().subList(0, 4), firstFour.captions());
        assertEquals(scenes.images().get(NDArrayIndex.interval(0, 4)), firstFour.images());
    }
}
