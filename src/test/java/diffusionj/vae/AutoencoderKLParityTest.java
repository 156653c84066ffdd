package diffusionj.vae;

import diffusionj.Fixtures;
import diffusionj.io.Checkpoint;
import diffusionj.io.Checkpoints;
import diffusionj.io.Safetensors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

import static diffusionj.Parity.assertMatchesReference;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Decoder and encoder against golden/vae.safetensors, from every file form of both families. */
class AutoencoderKLParityTest {

    @ParameterizedTest(name = "{0} from {1}")
    @CsvSource({
            "sd1-tiny, model", "sd1-tiny, model-ldm.safetensors", "sd1-tiny, model-ldm-fp16.safetensors",
            "sd2-tiny, model", "sd2-tiny, model-ldm.safetensors", "sd2-tiny, model-ldm-fp16.safetensors",
            "sdxl-tiny, model", "sdxl-tiny, model-ldm.safetensors", "sdxl-tiny, model-ldm-fp16.safetensors"})
    void decoderAndEncoderMatchTheReference(String set, String form) {
        try (Checkpoint checkpoint = Checkpoints.open(Fixtures.path(set, form), null);
             Safetensors g = Safetensors.open(Fixtures.path(set, "golden/vae.safetensors"))) {
            AutoencoderKL vae = AutoencoderKL.load(checkpoint);
            assertEquals(g.load("scaling_factor").getDouble(0), vae.config().scalingFactor(), 1e-7);
            INDArray decoded = vae.decode(g.load("latent"));
            Map<String, INDArray> posterior = vae.encodePosterior(g.load("image"));
            boolean fp16 = form.contains("fp16");
            assertMatchesReference(fp16, g.load("decoded"), decoded, form + " decoded");
            assertMatchesReference(fp16, g.load("posterior_mean"), posterior.get(AutoencoderKL.MEAN), form + " posterior_mean");
            assertMatchesReference(fp16, g.load("posterior_logvar"), posterior.get(AutoencoderKL.LOGVAR), form + " posterior_logvar");
        }
    }
}
