package diffusionj.text;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import diffusionj.Fixtures;
import diffusionj.io.Checkpoint;
import diffusionj.io.Checkpoints;
import diffusionj.io.Component;
import diffusionj.io.JsonFiles;
import diffusionj.io.ModelFamily;
import diffusionj.io.Safetensors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static diffusionj.Parity.assertMatchesReference;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * SDXL's text side against {@code sdxl-tiny/golden}: both tokenizers' ids, every hidden state and the pooled outputs
 * of both towers, and diffusers' {@code encode_prompt} (context and pooled vector), from every file form.
 */
class SdxlTextConditioningParityTest {

    @ParameterizedTest(name = "from {0}")
    @ValueSource(strings = {"model", "model-ldm.safetensors", "model-ldm-fp16.safetensors"})
    void bothTowersMatchTheReference(String form) {
        boolean fp16 = form.contains("fp16");
        try (Checkpoint checkpoint = Checkpoints.open(Fixtures.path("sdxl-tiny", form), null)) {
            assertEquals(ModelFamily.SDXL, checkpoint.family());
            for (Component tower : checkpoint.family().textTowers()) {
                String file = tower == Component.TEXT_ENCODER ? "text_encoder" : "text_encoder_2";
                try (Safetensors golden = Safetensors.open(Fixtures.path("sdxl-tiny", "golden/" + file + ".safetensors"))) {
                    ClipTextEncoder encoder = ClipTextEncoder.load(checkpoint, tower);
                    long[][] ids = ClipTextEncoderParityTest.rows(golden.load("input_ids"));
                    int layers = encoder.config().layers();
                    List<String> names = new ArrayList<>(List.of(ClipTextEncoder.LAST_HIDDEN_STATE));
                    for (int i = 0; i <= layers; i++) {
                        names.add(ClipTextEncoder.hiddenState(i));
                    }
                    Map<String, INDArray> out = encoder.encode(ids, names.toArray(String[]::new));
                    for (String name : names) {
                        assertMatchesReference(fp16, golden.load(name), out.get(name), form + " " + file + " " + name);
                    }
                    INDArray normed = out.get(ClipTextEncoder.LAST_HIDDEN_STATE);
                    if (golden.contains("text_embeds")) {
                        assertMatchesReference(fp16, golden.load("text_embeds"), encoder.pooled(ids, normed), form + " " + file + " text_embeds");
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "from {0}")
    @ValueSource(strings = {"model", "model-ldm.safetensors", "model-ldm-fp16.safetensors"})
    void encodePromptMatchesDiffusers(String form) {
        boolean fp16 = form.contains("fp16");
        try (Checkpoint checkpoint = Checkpoints.open(Fixtures.path("sdxl-tiny", form), null);
             Safetensors golden = Safetensors.open(Fixtures.path("sdxl-tiny", "golden/encode_prompt.safetensors"))) {
            TextConditioning conditioning = TextConditioning.load(checkpoint);
            JsonArray texts = JsonFiles.readObject(Fixtures.path("sdxl-tiny", "manifest.json")).getAsJsonArray("encode_prompt");
            for (int i = 0; i < texts.size(); i++) {
                String text = texts.get(i).getAsString();
                TextConditioning.Encoded e = conditioning.encode(text, 1, 1, Embeddings.NONE);
                assertMatchesReference(fp16, row(golden.load("prompt_embeds"), i), e.context(), form + " prompt_embeds '" + text + "'");
                assertMatchesReference(fp16, row(golden.load("pooled_prompt_embeds"), i), e.pooled(), form + " pooled_prompt_embeds '" + text + "'");
                assertArrayEquals(golden.load("input_ids").getRow(i).toLongVector(), ids(conditioning.towers().get(0), text), "input_ids '" + text + "'");
                assertArrayEquals(golden.load("input_ids_2").getRow(i).toLongVector(), ids(conditioning.towers().get(1), text), "input_ids_2 '" + text + "'");
            }
        }
    }

    @ParameterizedTest(name = "from {0}")
    @ValueSource(strings = {"model", "model-ldm.safetensors"})
    void bothTokenizersGiveTheReferenceIds(String form) {
        try (Checkpoint checkpoint = Checkpoints.open(Fixtures.path("sdxl-tiny", form), null)) {
            List<PromptEncoder> towers = TextConditioning.load(checkpoint).towers();
            for (JsonElement e : JsonFiles.read(Fixtures.path("sdxl-tiny", "golden/tokenizer.json")).getAsJsonArray()) {
                String text = e.getAsJsonObject().get("text").getAsString();
                assertArrayEquals(longs(e.getAsJsonObject().getAsJsonArray("ids77")), ids(towers.get(0), text), "ids77 '" + text + "'");
                assertArrayEquals(longs(e.getAsJsonObject().getAsJsonArray("ids77_2")), ids(towers.get(1), text), "ids77_2 '" + text + "'");
            }
        }
    }

    private static long[] ids(PromptEncoder tower, String text) {
        return tower.tokenizer().contextIds(tower.tokenizer().encode(text));
    }

    private static long[] longs(JsonArray a) {
        return a.asList().stream().mapToLong(JsonElement::getAsLong).toArray();
    }

    private static INDArray row(INDArray batch, int i) {
        return batch.get(NDArrayIndex.interval(i, i + 1)).dup();
    }
}
