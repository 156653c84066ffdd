package diffusionj.pipeline;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hires fix on the tiny SD 1.x model: sizes, the steps each pass runs, the parameters text, refusals. */
class HiresFixTest extends TinyModelTest {

    private static GenerationRequest request(HiresFix hires) {
        return new GenerationRequest("a red circle", "blurry", "euler_ancestral", 6, 7.5, 5, 80, 64, 1, 1).with(hires);
    }

    private static GenerationResult run(GenerationRequest r, boolean maps, ProgressListener progress) {
        return new Pipeline(model).generate(r, maps, RunOptions.NONE, progress, () -> false);
    }

    @Test
    void everyUpscalerGivesTheScaledSizeAndTheMapsComeFromTheSecondPass() {
        for (String upscaler : HiresFix.UPSCALERS) {
            GenerationResult r = run(request(HiresFix.scaled(2, 3, 0.7, upscaler)), true, ProgressListener.NONE);
            assertEquals(160, r.images().get(0).dimension(0), upscaler);
            assertEquals(128, r.images().get(0).dimension(1), upscaler);
            assertArrayEquals(new long[]{1, 4, 16, 20}, r.latent().shape(), upscaler);
            assertEquals(128, r.tokenMaps().get(0).imageHeight());
            assertEquals(160, r.tokenMaps().get(0).wordMaps().get(0).map().size(1));
        }
    }

    /** The first pass runs its steps; the second exactly the hires steps (of a schedule stretched to steps / denoise), or as many. */
    @Test
    void eachPassRunsItsOwnStepCount() {
        List<Integer> totals = new ArrayList<>();
        ProgressListener record = new ProgressListener() {
            @Override
            public void step(int done, int total, double seconds) {
                if (done == 1) {
                    totals.add(total);
                }
            }
        };
        run(request(HiresFix.scaled(1.5, 4, 0.5, "latent")), false, record);
        assertEquals(List.of(6, 4), totals);
        totals.clear();
        run(request(HiresFix.scaled(1.5, 0, 0.3, "lanczos")), false, record);
        assertEquals(List.of(6, 6), totals);
        assertEquals(20, HiresFix.scaled(1.5, 0, 0.3, "latent").scheduleLength(6));
    }

    @Test
    void theParametersTextCarriesTheWebUisFieldsAndReadsBack() {
        GenerationResult r = run(request(HiresFix.scaled(2, 3, 0.55, "lanczos")), false, ProgressListener.NONE);
        String text = r.parameters().get(0);
        assertTrue(text.contains("Size: 80x64,") && text.endsWith(", Denoising strength: 0.55, Hires upscale: 2, Hires steps: 3,"
                + " Hires upscaler: Lanczos"), text);
        assertEquals(request(HiresFix.scaled(2, 3, 0.55, "lanczos")), GenerationParameters.parse(text));

        HiresFix resized = new HiresFix(0, 120, 0, 0, 0.7, "latent");
        String second = GenerationParameters.format(request(resized), 5, "tiny", "00000000");
        assertTrue(second.endsWith("Denoising strength: 0.7, Hires resize: 120x0, Hires upscaler: Latent"), second);
        assertEquals(resized, GenerationParameters.parse(second + "").hires());
        assertArrayEquals(new int[]{120, 96}, resized.target(80, 64));
    }

    @Test
    void theSameSeedGivesTheSameLargeImage() {
        GenerationRequest r = request(HiresFix.scaled(1.5, 2, 0.6, "bicubic"));
        int[] a = run(r, false, ProgressListener.NONE).images().get(0).update(null).getCurrentStorageArray();
        int[] b = run(r, false, ProgressListener.NONE).images().get(0).update(null).getCurrentStorageArray();
        assertArrayEquals(a, b);
        GenerationResult plain = run(request(HiresFix.NONE), false, ProgressListener.NONE);
        assertFalse(plain.parameters().get(0).contains("Hires"), plain.parameters().get(0));
    }

    @Test
    void badSettingsAreRefusedWithTheirRange() {
        assertTrue(assertThrows(GenerationException.class, () -> run(request(HiresFix.scaled(5, 0, 0.7, "latent")), false, ProgressListener.NONE))
                .getMessage().contains("hires upscale must be between 1 and 4, got 5"));
        assertTrue(assertThrows(GenerationException.class, () -> run(request(HiresFix.scaled(2, 0, 0, "latent")), false, ProgressListener.NONE))
                .getMessage().contains("hires denoising strength must be above 0"));
        assertTrue(assertThrows(GenerationException.class, () -> run(request(HiresFix.scaled(40, 0, 0.7, "latent")), false, ProgressListener.NONE))
                .getMessage().contains("hires upscale"));
        assertTrue(assertThrows(GenerationException.class, () -> HiresFix.upscalerName("R-ESRGAN 4x+")).getMessage().contains("Latent, Lanczos and Bicubic"));
        InitImage init = InitImage.of(Nd4j.zeros(1, 3, 64, 80), 0.5);
        assertTrue(assertThrows(GenerationException.class, () -> new Pipeline(model).generate(request(HiresFix.scaled(2, 0, 0.7, "latent")), init,
                false, RunOptions.NONE, ProgressListener.NONE, () -> false)).getMessage().contains("hires fix is for text-to-image"));
    }
}
