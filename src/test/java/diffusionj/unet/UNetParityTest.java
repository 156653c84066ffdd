package diffusionj.unet;

import diffusionj.Fixtures;
import diffusionj.io.Checkpoint;
import diffusionj.io.Checkpoints;
import diffusionj.io.Safetensors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import static diffusionj.Parity.assertMatchesReference;

/** The UNet's noise prediction against golden/unet_*.safetensors, from every file form of every family. */
class UNetParityTest {

    @ParameterizedTest(name = "{0} from {1}")
    @CsvSource({
            "sd1-tiny, model", "sd1-tiny, model-ldm.safetensors", "sd1-tiny, model-ldm-fp16.safetensors",
            "sd2-tiny, model", "sd2-tiny, model-ldm.safetensors", "sd2-tiny, model-ldm-fp16.safetensors",
            "sdxl-tiny, model", "sdxl-tiny, model-ldm.safetensors", "sdxl-tiny, model-ldm-fp16.safetensors"})
    void noisePredictionMatchesTheReferenceAtEveryGoldenTimestepAndShape(String set, String form) {
        try (Checkpoint checkpoint = Checkpoints.open(Fixtures.path(set, form), null)) {
            UNet2DConditionModel unet = UNet2DConditionModel.load(checkpoint);
            for (String golden : new String[]{"unet_t999", "unet_t500", "unet_t1", "unet_rect"}) {
                try (Safetensors g = Safetensors.open(Fixtures.path(set, "golden/" + golden + ".safetensors"))) {
                    INDArray out = unet.predict(g.load("sample"), g.load("timestep"), g.load("encoder_hidden_states"), Fixtures.unetAddedInputs(g));
                    assertMatchesReference(form.contains("fp16"), g.load("out"), out, form + " " + golden);
                }
            }
        }
    }
}
