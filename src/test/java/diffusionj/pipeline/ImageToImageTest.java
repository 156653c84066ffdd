package diffusionj.pipeline;

import diffusionj.Fixtures;
import diffusionj.sampling.Samplers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Image-to-image and inpainting on the tiny SD 1.x model: what changes, what is kept, what runs. */
class ImageToImageTest extends TinyModelTest {
    private static INDArray original;

    @BeforeAll
    static void picture() {
        original = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, 3, 64, 64).muli(2).subi(1);
    }

    private static GenerationRequest request(String sampler) {
        return new GenerationRequest("a red circle", "blurry", sampler, 10, 7.5, 5, 64, 64, 1, 1);
    }

    private static GenerationResult run(GenerationRequest r, InitImage init, ProgressListener progress) {
        return new Pipeline(model).generate(r, init, false, RunOptions.NONE, progress, () -> false);
    }

    /** Root-mean-square distance of the final latent from the original's (the random tiny VAE cannot reconstruct pixels). */
    private static double distanceToOriginal(GenerationResult result) {
        INDArray encoded = model.vae().encode(original).muli(model.vae().scalingFactor());
        return result.latent().sub(encoded).norm2Number().doubleValue() / Math.sqrt(encoded.length());
    }

    @Test
    void lowerStrengthRunsFewerStepsAndStaysCloserToTheImage() {
        AtomicInteger calls = new AtomicInteger();
        ProgressListener count = new ProgressListener() {
            @Override
            public void step(int done, int total, double seconds) {
                calls.set(total);
            }
        };
        GenerationResult light = run(request("euler"), InitImage.of(original, 0.3), count);
        assertEquals(3, calls.get(), "⌊10 · 0.3⌋ steps");
        GenerationResult full = run(request("euler"), InitImage.of(original, 1.0), count);
        assertEquals(10, calls.get());
        assertTrue(distanceToOriginal(light) < distanceToOriginal(full),
                distanceToOriginal(light) + " vs " + distanceToOriginal(full));
        assertTrue(light.parameters().get(0).endsWith(", Denoising strength: 0.3"), light.parameters().get(0));
        assertEquals(request("euler").withSeed(5), GenerationParameters.parse(light.parameters().get(0)));
    }

    @Test
    void everySamplerStartsMidScheduleAndGivesAFiniteImage() {
        for (String sampler : Samplers.NAMES) {
            GenerationResult r = run(request(sampler), InitImage.of(original, 0.5), ProgressListener.NONE);
            double d = distanceToOriginal(r);
            assertTrue(Double.isFinite(d) && d < 3, sampler + ": distance " + d);
        }
    }

    @Test
    void inpaintingKeepsEveryPixelOutsideTheMask() {
        INDArray mask = Nd4j.zeros(64, 64);
        mask.get(NDArrayIndex.interval(16, 48), NDArrayIndex.interval(16, 48)).assign(1);
        GenerationResult r = run(request("euler_ancestral"), new InitImage(original, 0.8, mask, 0), ProgressListener.NONE);
        INDArray outside = r.decoded().get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 16), NDArrayIndex.all());
        INDArray before = original.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 16), NDArrayIndex.all());
        assertEquals(0, outside.sub(before).amaxNumber().doubleValue(), 1e-6);
        INDArray inside = r.decoded().get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(16, 48), NDArrayIndex.interval(16, 48));
        INDArray was = original.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(16, 48), NDArrayIndex.interval(16, 48));
        assertTrue(inside.sub(was).amaxNumber().doubleValue() > 0.1, "the masked square is regenerated");
        assertTrue(r.parameters().get(0).endsWith("Denoising strength: 0.8, Mask blur: 0"));
    }

    @Test
    void badStrengthOrSizeIsRefusedWithTheReason() {
        GenerationException none = assertThrows(GenerationException.class, () -> run(request("euler"), InitImage.of(original, 0.05), ProgressListener.NONE));
        assertTrue(none.getMessage().contains("runs no step"), none.getMessage());
        GenerationException zero = assertThrows(GenerationException.class, () -> run(request("euler"), InitImage.of(original, 0), ProgressListener.NONE));
        assertTrue(zero.getMessage().contains("strength"), zero.getMessage());
        GenerationRequest big = new GenerationRequest("a", "", "euler", 10, 7.5, 5, 128, 64, 1, 1);
        GenerationException size = assertThrows(GenerationException.class, () -> run(big, InitImage.of(original, 0.5), ProgressListener.NONE));
        assertTrue(size.getMessage().contains("64x64"), size.getMessage());
    }
    /** SDXL (its pooled vector and sizes in every call, latents scaled by 0.13025): image-to-image and inpainting. */
    @Test
    void sdxlReworksAnImageAndInpaintsOnlyTheMask() {
        try (StableDiffusion sdxl = StableDiffusion.load(Fixtures.path("sdxl-tiny", "model-ldm.safetensors"), null)) {
            GenerationRequest r = new GenerationRequest("a red circle", "", "dpmpp_2m", 10, GenerationRequest.MODEL_GUIDANCE, 5, 64, 64, 1, 1);
            GenerationResult light = new Pipeline(sdxl).generate(r, InitImage.of(original, 0.4), false, RunOptions.NONE, ProgressListener.NONE, () -> false);
            assertTrue(Double.isFinite(light.decoded().sumNumber().doubleValue()));
            assertTrue(light.parameters().get(0).contains("CFG scale: 5,") && light.parameters().get(0).endsWith("Denoising strength: 0.4"),
                    light.parameters().get(0));
            INDArray mask = Nd4j.zeros(64, 64);
            mask.get(NDArrayIndex.interval(16, 48), NDArrayIndex.interval(16, 48)).assign(1);
            GenerationResult inpainted = new Pipeline(sdxl).generate(r, new InitImage(original, 0.8, mask, 0), false, RunOptions.NONE,
                    ProgressListener.NONE, () -> false);
            INDArray outside = inpainted.decoded().get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(48, 64), NDArrayIndex.all());
            INDArray before = original.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(48, 64), NDArrayIndex.all());
            assertEquals(0, outside.sub(before).amaxNumber().doubleValue(), 1e-6);
        }
    }
}
