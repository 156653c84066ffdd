package diffusionj.text;

import com.google.gson.JsonObject;
import diffusionj.Fixtures;
import diffusionj.attention.PromptTokens;
import diffusionj.io.CheckpointException;
import diffusionj.io.ExtraNetworkFolders;
import diffusionj.io.JsonFiles;
import diffusionj.io.Safetensors;
import diffusionj.pipeline.GenerationRequest;
import diffusionj.pipeline.GenerationResult;
import diffusionj.pipeline.Pipeline;
import diffusionj.pipeline.ProgressListener;
import diffusionj.pipeline.RunOptions;
import diffusionj.pipeline.StableDiffusion;
import diffusionj.sampling.ReplayedNoise;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static diffusionj.Parity.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Textual-inversion embeddings against sd1-tiny/lora's goldens (the web UI's rules), and where they may stand. */
class TextualInversionTest {
    private static final Path EMBEDDINGS = Fixtures.path("sd1-tiny", "lora/embeddings");
    private static final JsonObject TI = JsonFiles.readObject(Fixtures.path("sd1-tiny", "lora/manifest.json")).getAsJsonObject("textual_inversion");
    private static StableDiffusion model;
    private static Embeddings embeddings;

    @BeforeAll
    static void load() {
        model = StableDiffusion.load(Fixtures.path("sd1-tiny", "model"), null);
        embeddings = model.prompts().embeddingsIn(List.of(EMBEDDINGS));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void namesBecomeTheirVectorsPlacesAndTheTextEncoderMatchesTheWebUi() {
        try (Safetensors g = Safetensors.open(Fixtures.path("sd1-tiny", "lora/golden/ti_text_encoder.safetensors"))) {
            for (String role : new String[]{"prompt", "negative"}) {
                String text = TI.getAsJsonObject(role).get("text").getAsString();
                PromptChunks chunks = PromptChunks.of(text, model.tokenizer(), embeddings);
                assertArrayEquals(g.load(role + ".input_ids").toLongVector(), chunks.chunks().get(0).ids(), role + " ids");
                List<Integer> positions = new ArrayList<>();
                for (PromptChunks.Placed p : chunks.chunks().get(0).embeddings()) {
                    for (int i = 0; i < p.embedding().count(); i++) {
                        positions.add(p.first() + i);
                    }
                }
                assertArrayEquals(g.load(role + ".embedding_positions").toLongVector(), positions.stream().mapToLong(Integer::longValue).toArray(), role + " positions");
                assertClose(g.load(role + ".last_hidden_state"), model.prompts().encode(text, 1, 1, embeddings), 1e-4, role + " last_hidden_state");
            }
        }
    }

    @Test
    void generateWithTheNamesInPromptAndNegativeReproducesThePipelineGolden() {
        try (Safetensors g = Safetensors.open(Fixtures.path("sd1-tiny", "lora/golden/ti_pipeline_ddim.safetensors"))) {
            GenerationRequest request = new GenerationRequest(TI.getAsJsonObject("prompt").get("text").getAsString(),
                    TI.getAsJsonObject("negative").get("text").getAsString(), "ddim", 10, 7.5, 0, 64, 64, 1, 1);
            List<String> checked = new ArrayList<>();
            RunOptions options = new RunOptions(g.load("init_latent"), ReplayedNoise.from(g), (i, latent) -> {
                String key = String.format("step%02d.latent", i);
                assertClose(g.load(key), latent, 1e-3, key);
                checked.add(key);
            });
            GenerationResult result = new Pipeline(model, new ExtraNetworkFolders(List.of(), List.of(EMBEDDINGS)))
                    .generate(request, false, options, ProgressListener.NONE, () -> false);
            assertEquals(10, checked.size());
            assertClose(g.load("image"), result.decoded(), 1e-3, "image");
            String hashes = "TI hashes: \"mychar: " + TextualInversion.read("mychar", EMBEDDINGS.resolve("mychar.safetensors"), 32).shortHash()
                    + ", badneg: " + TextualInversion.read("badneg", EMBEDDINGS.resolve("badneg.safetensors"), 32).shortHash() + "\"";
            assertTrue(result.parameters().get(0).contains(hashes), result.parameters().get(0));
        }
    }

    /** The web UI's rule: an embedding that does not fit in what is left of a chunk starts the next one; it counts its n vectors. */
    @Test
    void anEmbeddingIsNeverSplitBetweenChunksAndCountsItsVectors() {
        String filler = "cat ".repeat(73).trim();
        PromptChunks chunks = PromptChunks.of(filler + " mychar", model.tokenizer(), embeddings);
        assertEquals(2, chunks.chunks().size());
        assertEquals(List.of(1), chunks.chunks().get(1).embeddings().stream().map(PromptChunks.Placed::first).toList());
        assertEquals(75 + 3, chunks.tokenCount());
        assertEquals(3 + 2, PromptChunks.of("mychar badneg", model.tokenizer(), embeddings).tokenCount());
        PromptChunks weighted = PromptChunks.of("(badneg:1.2), blurry", model.tokenizer(), embeddings);
        float[] w = weighted.chunks().get(0).weights();
        assertEquals(1.2f, w[1], 1e-6);
        assertEquals(1.2f, w[2], 1e-6);
        assertEquals(1f, w[3], 1e-6);
    }

    /** Token maps: the embedding's three places are one word, named after it. */
    @Test
    void anEmbeddingsVectorsFormOneWordOfTheTokenMaps() {
        PromptTokens tokens = PromptTokens.of("a photo of mychar on a beach", model.tokenizer(), embeddings);
        PromptTokens.Word word = tokens.words().stream().filter(w -> w.text().equals("mychar")).findFirst().orElseThrow();
        assertArrayEquals(new int[]{4, 5, 6}, word.keys());
        assertEquals(List.of("a", "photo", "of", "mychar", "on", "beach"), tokens.words().stream().map(w -> w.text().strip()).toList());
        assertEquals(6 + 3, TokenCount.of("a photo of mychar on a beach", model.tokenizer(), embeddings).tokens());
    }

    /** diffusers' form: one tensor named after its token, [width] for one vector; another width is an error naming both. */
    @Test
    void diffusersOneTensorEmbeddingsAreReadAndAWrongWidthIsNamed(@TempDir Path dir) {
        INDArray vector = org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 32);
        diffusionj.io.SafetensorsWriter.float32().write(dir.resolve("toy.safetensors"), java.util.Map.of("<toy>", vector));
        TextualInversion toy = TextualInversion.read("toy", dir.resolve("toy.safetensors"), 32);
        assertEquals(1, toy.count());
        assertEquals(vector.reshape(1, 32), toy.vectors());
        CheckpointException e = assertThrows(CheckpointException.class, () -> TextualInversion.read("toy", dir.resolve("toy.safetensors"), 768));
        assertTrue(e.getMessage().contains("768") && e.getMessage().contains("[32]"), e.getMessage());
    }

    @Test
    void aPickledEmbeddingIsRefusedWithTheReason(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("evil.pt"), new byte[]{(byte) 0x80, 2, 0, 0});
        Embeddings withPickle = model.prompts().embeddingsIn(List.of(dir));
        CheckpointException e = assertThrows(CheckpointException.class, () -> PromptChunks.of("an evil cat", model.tokenizer(), withPickle));
        assertTrue(e.getMessage().contains("evil.pt") && e.getMessage().contains("pickle"), e.getMessage());
    }
    /**
     * SDXL's form: {@code clip_l} for the first tower, {@code clip_g} for the second. An embedding holding each tower's
     * own token vector of "cat" conditions exactly as the word does, in both towers and the pooled vector; an SD 1.x
     * embedding is refused for SDXL, naming what it is.
     */
    @Test
    void sdxlEmbeddingsGiveEachTowerItsOwnVectors(@TempDir Path dir) throws Exception {
        try (StableDiffusion sdxl = StableDiffusion.load(Fixtures.path("sdxl-tiny", "model"), null)) {
            TextConditioning text = sdxl.conditioning();
            int cat = text.first().tokenizer().encode("cat")[0];
            INDArray[] rows = new INDArray[2];
            for (int t = 0; t < 2; t++) {
                long width = text.towers().get(t).encoder().config().width();
                rows[t] = text.towers().get(t).encoder().weights().get("text_model.embeddings.token_embedding.weight", 49408, width)
                        .castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).getRow(cat).reshape(1, width).dup();
            }
            diffusionj.io.SafetensorsWriter.float32().write(dir.resolve("kitty.safetensors"), java.util.Map.of("clip_l", rows[0], "clip_g", rows[1]));
            Embeddings found = text.embeddingsIn(List.of(dir));
            TextConditioning.Encoded withEmbedding = text.encode("a photo of kitty", 1, 1, found);
            TextConditioning.Encoded withWord = text.encode("a photo of cat", 1, 1, Embeddings.NONE);
            assertClose(withWord.context(), withEmbedding.context(), 1e-6, "context");
            assertClose(withWord.pooled(), withEmbedding.pooled(), 1e-6, "pooled");
            Files.copy(EMBEDDINGS.resolve("mychar.safetensors"), dir.resolve("mychar.safetensors"));
            Embeddings withSd1 = text.embeddingsIn(List.of(dir));
            CheckpointException e = assertThrows(CheckpointException.class, () -> text.encode("a photo of mychar", 1, 1, withSd1));
            assertTrue(e.getMessage().contains("clip_l") && e.getMessage().contains("SD 1.x/2.x embedding"), e.getMessage());
        }
    }
}
