package diffusionj.pipeline;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import diffusionj.Fixtures;
import diffusionj.attention.TokenMaps;
import diffusionj.io.JsonFiles;
import diffusionj.io.Safetensors;
import diffusionj.sampling.ReplayedNoise;
import diffusionj.sampling.Sampler;
import diffusionj.sampling.Samplers;
import diffusionj.unet.UNet2DConditionModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static diffusionj.Parity.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whole text-to-image runs against golden/pipeline_*.safetensors, and DAAM maps against daam_ddim; SDXL's from its
 * diffusers folder and from its single file.
 */
class PipelineParityTest {
    private static final Map<String, StableDiffusion> MODELS = new HashMap<>();
    /** Fixture set → the model forms its pipelines run from ("model" = the diffusers folder). */
    private static final Map<String, List<String>> FORMS = Map.of(
            "sd1-tiny", List.of("model"), "sd2-tiny", List.of("model"), "sdxl-tiny", List.of("model", "model-ldm.safetensors"));

    @BeforeAll
    static void load() {
        FORMS.forEach((set, forms) -> forms.forEach(form -> MODELS.put(set + ":" + form, StableDiffusion.load(Fixtures.path(set, form), null))));
    }

    @AfterAll
    static void close() {
        MODELS.values().forEach(StableDiffusion::close);
    }

    /** "set:form/file" for every pipeline of every set, from every form of the set's model. */
    static Stream<String> runs() {
        List<String> runs = new ArrayList<>();
        for (String set : new String[]{"sd1-tiny", "sd2-tiny", "sdxl-tiny"}) {
            for (String form : FORMS.get(set)) {
                for (JsonElement p : JsonFiles.readObject(Fixtures.path(set, "manifest.json")).getAsJsonArray("pipelines")) {
                    runs.add(set + ":" + form + "/" + p.getAsJsonObject().get("file").getAsString());
                }
            }
        }
        return runs.stream();
    }

    private static JsonObject manifestEntry(String set, String file) {
        for (JsonElement p : JsonFiles.readObject(Fixtures.path(set, "manifest.json")).getAsJsonArray("pipelines")) {
            if (p.getAsJsonObject().get("file").getAsString().equals(file)) {
                return p.getAsJsonObject();
            }
        }
        throw new AssertionError("no manifest entry for " + file);
    }

    static GenerationRequest request(JsonObject m) {
        int width = m.has("width") ? m.get("width").getAsInt() : 64;
        int height = m.has("height") ? m.get("height").getAsInt() : 64;
        return new GenerationRequest(m.get("prompt").getAsString(), m.get("negative_prompt").getAsString(),
                m.get("scheduler").getAsString(), m.get("steps").getAsInt(), m.get("guidance_scale").getAsDouble(), 0, width, height, 1, 1);
    }

    private static String set(String run) {
        return run.substring(0, run.indexOf(':'));
    }

    private static String file(String run) {
        return run.substring(run.indexOf('/') + 1);
    }

    private static StableDiffusion model(String run) {
        return MODELS.get(run.substring(0, run.indexOf('/')));
    }

    /** The text conditioning (context) of {@code text}, as the pipeline makes it for this model. */
    private static INDArray context(StableDiffusion model, String text) {
        return model.conditioning().encode(text, 1, 1, diffusionj.text.Embeddings.NONE).context();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runs")
    void everyLatentAndTheImageMatchTheReference(String run) {
        String set = set(run);
        String file = file(run);
        StableDiffusion model = model(run);
        JsonObject entry = manifestEntry(set, file);
        GenerationRequest request = request(entry);
        try (Safetensors g = Safetensors.open(Fixtures.path(set, "golden/" + file))) {
            assertClose(g.load("cond"), context(model, request.prompt()), 1e-4, run + " cond");
            if (!(entry.has("negative_zeros") && entry.get("negative_zeros").getAsBoolean())) {
                assertClose(g.load("uncond"), context(model, request.negativePrompt()), 1e-4, run + " uncond");
            }
            List<String> checked = new ArrayList<>();
            RunOptions options = new RunOptions(g.load("init_latent"), ReplayedNoise.from(g), (i, latent) -> {
                String key = String.format("step%02d.latent", i);
                assertClose(g.load(key), latent, 1e-4, run + " " + key);
                checked.add(key);
            });
            GenerationResult result = new Pipeline(model).generate(request, false, options, ProgressListener.NONE, () -> false);
            assertEquals(request.steps(), checked.size());
            assertClose(g.load("image"), result.decoded(), 1e-4, run + " image");
            assertLevelsClose(g.load("image_uint8"), Images.toLevels(result.decoded()), run);
        }
    }

    /** At most 1 level off, in at most 0.5 % of the values. */
    private static void assertLevelsClose(INDArray expected, INDArray actual, String run) {
        float[] e = expected.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).data().asFloat();
        float[] a = actual.data().asFloat();
        int off = 0;
        for (int i = 0; i < e.length; i++) {
            float d = Math.abs(e[i] - a[i]);
            assertTrue(d <= 1, run + " image_uint8 value " + i + " differs by " + d);
            off += d > 0 ? 1 : 0;
        }
        assertTrue(off <= 0.005 * e.length, run + " image_uint8: " + off + " of " + e.length + " values differ");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runs")
    void crossAttentionProbabilitiesAtTheFirstAndLastStepMatchTheReference(String run) {
        String set = set(run);
        String file = file(run);
        StableDiffusion model = model(run);
        GenerationRequest request = request(manifestEntry(set, file));
        try (Safetensors g = Safetensors.open(Fixtures.path(set, "golden/" + file))) {
            if (!g.contains("attn.first." + model.unet().crossAttentionLayers(8, 8, 77).get(0).probe().replace(".probs", ".processor"))) {
                return; // SDXL keeps the probabilities of pipeline_ddim only
            }
            Sampler sampler = Samplers.create(request.sampler(), model.schedule(), request.steps());
            INDArray context = Nd4j.concat(0, g.load("uncond"), g.load("cond"));
            int last = request.steps() - 1;
            checkAttention(model, g, "attn.first.", sampler.scaleModelInput(g.load("init_latent").mul(sampler.initNoiseSigma()), 0),
                    sampler.timesteps()[0], context, run);
            checkAttention(model, g, "attn.last.", sampler.scaleModelInput(g.load(String.format("step%02d.latent", last - 1)), last),
                    sampler.timesteps()[last], context, run);
        }
    }

    private static void checkAttention(StableDiffusion model, Safetensors g, String prefix, INDArray input, double t,
                                       INDArray context, String run) {
        List<UNet2DConditionModel.AttentionLayer> layers = model.unet().crossAttentionLayers(input.size(2), input.size(3), context.size(1));
        List<String> probes = layers.stream().map(UNet2DConditionModel.AttentionLayer::probe).toList();
        Map<String, INDArray> out = model.unet().run(Nd4j.concat(0, input, input), Nd4j.createFromArray(t), context,
                Fixtures.unetAddedInputs(g), probes);
        assertEquals(g.names().stream().filter(k -> k.startsWith(prefix)).count(), layers.size());
        for (String probe : probes) {
            String golden = prefix + probe.replace(".probs", ".processor");
            INDArray p = out.get(probe);
            INDArray flat = p.reshape(p.size(0) * p.size(1), p.size(2), p.size(3));
            assertClose(g.load(golden), flat, 1e-4, run + " " + golden);
        }
    }

    @Test
    void daamTokenWordAndMaskMapsMatchTheReference() {
        for (String loaded : new String[]{"sd1-tiny:model", "sd2-tiny:model", "sdxl-tiny:model", "sdxl-tiny:model-ldm.safetensors"}) {
            String set = loaded.substring(0, loaded.indexOf(':'));
            StableDiffusion model = MODELS.get(loaded);
            GenerationRequest request = request(manifestEntry(set, "pipeline_ddim.safetensors"));
            try (Safetensors g = Safetensors.open(Fixtures.path(set, "golden/pipeline_ddim.safetensors"));
                 Safetensors daam = Safetensors.open(Fixtures.path(set, "golden/daam_ddim.safetensors"))) {
                RunOptions options = new RunOptions(g.load("init_latent"), null, null);
                GenerationResult result = new Pipeline(model).generate(request, true, options, ProgressListener.NONE, () -> false);
                TokenMaps maps = result.tokenMaps().get(0);
                assertClose(daam.load("token_maps"), maps.daamMaps(), 1e-4, set + " token_maps");
                List<String> words = new ArrayList<>();
                for (TokenMaps.LabelledMap word : maps.wordMaps()) {
                    words.add(word.label());
                    assertClose(daam.load("word." + word.label()), word.map(), 1e-4, set + " word." + word.label());
                    assertEquals(daam.load("mask." + word.label()), word.mask(TokenMaps.DEFAULT_THRESHOLD), set + " mask." + word.label());
                }
                List<String> expected = new ArrayList<>();
                JsonFiles.readObject(Fixtures.path(set, "manifest.json")).getAsJsonObject("daam").getAsJsonArray("words")
                        .forEach(w -> expected.add(w.getAsString()));
                assertEquals(expected, words);
                assertEquals(10, maps.tokenMaps().size());
                assertEquals("red", maps.tokenMaps().get(1).label());
            }
        }
    }
}
