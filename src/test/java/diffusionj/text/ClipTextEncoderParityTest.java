package diffusionj.text;

import diffusionj.Fixtures;
import diffusionj.io.Checkpoint;
import diffusionj.io.Checkpoints;
import diffusionj.io.ModelFamily;
import diffusionj.io.Safetensors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.Map;

import static diffusionj.Parity.assertMatchesReference;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The text tower against {@code golden/text_encoder.safetensors}, from every file form of both families. */
class ClipTextEncoderParityTest {

    @ParameterizedTest(name = "{0} from {1}")
    @CsvSource({
            "sd1-tiny, model, SD1", "sd1-tiny, model-ldm.safetensors, SD1", "sd1-tiny, model-ldm-fp16.safetensors, SD1",
            "sd2-tiny, model, SD2", "sd2-tiny, model-ldm.safetensors, SD2", "sd2-tiny, model-ldm-fp16.safetensors, SD2"})
    void everyHiddenStateMatchesTheReference(String set, String form, ModelFamily family) {
        Path model = Fixtures.path(set, form);
        boolean fp16 = form.contains("fp16");
        try (Checkpoint checkpoint = Checkpoints.open(model, null);
             Safetensors golden = Safetensors.open(Fixtures.path(set, "golden/text_encoder.safetensors"))) {
            assertEquals(family, checkpoint.family());
            ClipTextEncoder encoder = ClipTextEncoder.load(checkpoint);
            long[][] ids = rows(golden.load("input_ids"));
            int layers = encoder.config().layers();
            String[] names = new String[layers + 3];
            for (int i = 0; i <= layers; i++) {
                names[i] = ClipTextEncoder.hiddenState(i);
            }
            names[layers + 1] = ClipTextEncoder.LAST_HIDDEN_STATE;
            names[layers + 2] = ClipTextEncoder.clipSkip(2);
            Map<String, INDArray> out = encoder.encode(ids, names);
            for (int i = 0; i <= layers; i++) {
                assertMatchesReference(fp16, golden.load("hidden_states." + i), out.get(ClipTextEncoder.hiddenState(i)), form + " hidden_states." + i);
            }
            assertMatchesReference(fp16, golden.load("last_hidden_state"), out.get(ClipTextEncoder.LAST_HIDDEN_STATE), form + " last_hidden_state");
            assertMatchesReference(fp16, golden.load("penultimate_normed"), out.get(ClipTextEncoder.clipSkip(2)), form + " penultimate_normed");
        }
    }

    /** The training path (one-hot embedding lookup, differentiable) computes the same tower as the gather. */
    @org.junit.jupiter.api.Test
    void trainingGraphMatchesTheReference() {
        try (Checkpoint checkpoint = Checkpoints.open(Fixtures.path("sd1-tiny", "model"), null);
             Safetensors golden = Safetensors.open(Fixtures.path("sd1-tiny", "golden/text_encoder.safetensors"))) {
            ClipTextConfig config = ClipTextConfig.fromJson(checkpoint.config(diffusionj.io.Component.TEXT_ENCODER));
            diffusionj.nn.WeightStore weights = new diffusionj.nn.WeightStore(checkpoint.weights(diffusionj.io.Component.TEXT_ENCODER));
            org.nd4j.autodiff.samediff.SameDiff sd = diffusionj.nn.GraphRunner.newGraph();
            var ids = sd.placeHolder("ids", org.nd4j.linalg.api.buffer.DataType.INT64, -1, ClipTokenizer.CONTEXT_LENGTH);
            new ClipTextEncoder(config, weights).lastHiddenState(new diffusionj.nn.GraphWeights(sd, weights), ids).rename("z");
            INDArray out = diffusionj.nn.GraphRunner.output(sd, Map.of("ids", golden.load("input_ids").castTo(org.nd4j.linalg.api.buffer.DataType.INT64)), "z").get("z");
            assertMatchesReference(false, golden.load("last_hidden_state"), out, "one-hot last_hidden_state");
        }
    }

    static long[][] rows(INDArray ids) {
        long[][] out = new long[(int) ids.size(0)][];
        for (int i = 0; i < out.length; i++) {
            out[i] = ids.getRow(i).toLongVector();
        }
        return out;
    }
}
