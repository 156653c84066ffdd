package diffusionj.nn;

import diffusionj.Fixtures;
import diffusionj.io.Checkpoint;
import diffusionj.io.Checkpoints;
import diffusionj.io.Component;
import diffusionj.io.Safetensors;
import diffusionj.io.WeightSource;
import diffusionj.pipeline.ResidentMemory;
import diffusionj.text.ClipTextConfig;
import diffusionj.text.ClipTextEncoder;
import diffusionj.unet.UNet2DConditionModel;
import diffusionj.unet.UNetConfig;
import diffusionj.vae.AutoencoderKL;
import diffusionj.vae.VaeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Weights used where they lie in the file, in its precision, widened block by block inside the graphs, give
 * exactly the outputs of float32 copies of the whole file made at load: the same float32 values meet the same
 * ops. Both file precisions, every component, SD 1.x and 2.x (whose text encoder reads q, k, v as row blocks of
 * one fused tensor).
 */
class WeightsInPlaceTest {

    @ParameterizedTest
    @ValueSource(strings = {"sd1-tiny/model-ldm-fp16.safetensors", "sd1-tiny/model-ldm.safetensors", "sd2-tiny/model-ldm-fp16.safetensors"})
    void inPlaceWeightsGiveBitIdenticalOutputsToWideningTheWholeFileFirst(String form) {
        String set = form.substring(0, form.indexOf('/'));
        try (Checkpoint checkpoint = Checkpoints.open(Fixtures.path(set, form.substring(set.length() + 1)), null);
             Safetensors g = Safetensors.open(Fixtures.path(set, "golden/unet_t500.safetensors"))) {
            UNetConfig unetConfig = UNetConfig.fromJson(checkpoint.config(Component.UNET));
            INDArray inPlace = new UNet2DConditionModel(unetConfig, WeightStore.inPlace(checkpoint.weights(Component.UNET)))
                    .predict(g.load("sample"), g.load("timestep"), g.load("encoder_hidden_states"));
            INDArray widened = new UNet2DConditionModel(unetConfig, new WeightStore(checkpoint.weights(Component.UNET)))
                    .predict(g.load("sample"), g.load("timestep"), g.load("encoder_hidden_states"));
            assertEquals(widened, inPlace, form + ": UNet");

            VaeConfig vaeConfig = VaeConfig.fromJson(checkpoint.config(Component.VAE));
            INDArray latent = g.load("sample");
            INDArray decodedInPlace = new AutoencoderKL(vaeConfig, WeightStore.inPlace(checkpoint.weights(Component.VAE))).decode(latent);
            INDArray decodedWidened = new AutoencoderKL(vaeConfig, new WeightStore(checkpoint.weights(Component.VAE))).decode(latent);
            assertEquals(decodedWidened, decodedInPlace, form + ": VAE decode");

            ClipTextConfig textConfig = ClipTextConfig.fromJson(checkpoint.config(Component.TEXT_ENCODER));
            long[][] ids = {{49406, 320, 1125, 539, 320, 2368, 49407}};
            long[][] padded = new long[1][77];
            System.arraycopy(ids[0], 0, padded[0], 0, ids[0].length);
            INDArray textInPlace = new ClipTextEncoder(textConfig, WeightStore.inPlace(checkpoint.weights(Component.TEXT_ENCODER)))
                    .encode(padded, ClipTextEncoder.LAST_HIDDEN_STATE).get(ClipTextEncoder.LAST_HIDDEN_STATE);
            INDArray textWidened = new ClipTextEncoder(textConfig, new WeightStore(checkpoint.weights(Component.TEXT_ENCODER)))
                    .encode(padded, ClipTextEncoder.LAST_HIDDEN_STATE).get(ClipTextEncoder.LAST_HIDDEN_STATE);
            assertEquals(textWidened, textInPlace, form + ": text encoder");
            assertEquals(DataType.FLOAT, inPlace.dataType());
        }
    }

    /**
     * After its phase a model lets go of its weights' pages: the process's file-backed memory drops by about the
     * weights' size, and the next call, reading them again from the page cache, gives the same output bit for bit.
     */
    @Test
    void releasedWeightPagesLeaveTheProcessAndComeBackUnchanged() {
        assumeTrue(Files.exists(Path.of("/proc/self/status")), "Linux only");
        try (Checkpoint checkpoint = Checkpoints.open(Fixtures.path("sd1-tiny", "model-ldm.safetensors"), null);
             Safetensors g = Safetensors.open(Fixtures.path("sd1-tiny", "golden/unet_t500.safetensors"))) {
            UNet2DConditionModel unet = UNet2DConditionModel.load(checkpoint);
            INDArray first = unet.predict(g.load("sample"), g.load("timestep"), g.load("encoder_hidden_states"));
            WeightSource weights = checkpoint.weights(Component.UNET);
            long weightBytes = 0;
            for (String key : weights.keys()) {
                weightBytes += 4 * java.util.Arrays.stream(weights.shape(key)).reduce(1, (a, b) -> a * b);
            }
            double before = ResidentMemory.fileBackedGiB();
            unet.releaseWeightPages();
            double after = ResidentMemory.fileBackedGiB();
            double weightGiB = weightBytes / (double) (1L << 30);
            assertTrue(before - after > weightGiB / 2, "file-backed memory " + before + " → " + after + " GiB; UNet weights " + weightGiB);
            assertEquals(first, unet.predict(g.load("sample"), g.load("timestep"), g.load("encoder_hidden_states")));
        }
    }
}
