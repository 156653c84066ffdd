package diffusionj.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import diffusionj.Fixtures;
import diffusionj.io.JsonFiles;
import diffusionj.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static diffusionj.Parity.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CliTest {
    @TempDir
    Path dir;

    /** One command's exit code and output, as a script would see them. */
    record Run(int code, String out, String err) {
    }

    static Run run(String... argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sd1-tiny", "sd2-tiny"})
    void tokenizeTextsJsonPrintsBpeAndIdsOfEveryGoldenPrompt(String set) throws Exception {
        JsonArray golden = JsonFiles.read(Fixtures.path(set, "golden/tokenizer.json")).getAsJsonArray();
        JsonArray texts = new JsonArray();
        golden.forEach(e -> texts.add(e.getAsJsonObject().get("text")));
        Path input = dir.resolve("texts.json");
        Files.writeString(input, texts.toString());
        Run r = run("tokenize", "--model", Fixtures.path(set, "model-ldm.safetensors").toString(), "--texts-json", input.toString());
        assertEquals(0, r.code(), r.err());
        JsonArray printed = JsonParser.parseString(r.out()).getAsJsonArray();
        assertEquals(golden.size(), printed.size());
        for (int i = 0; i < golden.size(); i++) {
            assertEquals(golden.get(i).getAsJsonObject().get("bpe"), printed.get(i).getAsJsonObject().get("bpe"), "bpe " + i);
            assertEquals(golden.get(i).getAsJsonObject().get("ids77"), printed.get(i).getAsJsonObject().get("ids"), "ids " + i);
        }
    }

    @Test
    void tokenizeOneTextPrintsOneObject() {
        Run r = run("tokenize", "--model", Fixtures.path("sd1-tiny", "model").toString(), "--text", "a photo of a cat");
        assertEquals(0, r.code(), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals("[320,1125,539,320,2368]", o.get("bpe").toString());
        assertEquals(77, o.getAsJsonArray("ids").size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"sd1-tiny", "sd2-tiny"})
    void encodeTextWritesTheGoldenHiddenStates(String set) throws Exception {
        try (Safetensors golden = Safetensors.open(Fixtures.path(set, "golden/text_encoder.safetensors"))) {
            Path input = dir.resolve("texts.json");
            Files.writeString(input, textsOf(set, golden.load("input_ids")).toString());
            Path out = dir.resolve("out.safetensors");
            Run r = run("encode-text", "--model", Fixtures.path(set, "model").toString(), "--texts-json", input.toString(),
                    "--out", out.toString());
            assertEquals(0, r.code(), r.err());
            try (Safetensors written = Safetensors.open(out)) {
                assertClose(golden.load("last_hidden_state"), written.load("last_hidden_state"), 1e-4, "last_hidden_state");
                assertClose(golden.load("penultimate_normed"), written.load("penultimate_normed"), 1e-4, "penultimate_normed");
                assertFalse(written.contains("conditioning"));
            }
        }
    }

    /** SDXL: also diffusers' encode_prompt outputs, from the single file. */
    @Test
    void encodeTextOnSdxlWritesPromptEmbedsAndThePooledVector() throws Exception {
        JsonArray texts = JsonFiles.readObject(Fixtures.path("sdxl-tiny", "manifest.json")).getAsJsonArray("encode_prompt");
        Path input = dir.resolve("texts.json");
        Files.writeString(input, texts.toString());
        Path out = dir.resolve("out.safetensors");
        Run r = run("encode-text", "--model", Fixtures.path("sdxl-tiny", "model-ldm.safetensors").toString(), "--texts-json", input.toString(),
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        try (Safetensors written = Safetensors.open(out);
             Safetensors golden = Safetensors.open(Fixtures.path("sdxl-tiny", "golden/encode_prompt.safetensors"))) {
            assertClose(golden.load("prompt_embeds"), written.load("prompt_embeds"), 1e-4, "prompt_embeds");
            assertClose(golden.load("pooled_prompt_embeds"), written.load("pooled_prompt_embeds"), 1e-4, "pooled_prompt_embeds");
            assertEquals(12, written.load("last_hidden_state").size(2), "encoder 1's own states, as before");
        }
    }

    /** The golden input ids are prompts of tokenizer.json: find each row's text by its ids77. */
    private static JsonArray textsOf(String set, INDArray inputIds) {
        JsonArray golden = JsonFiles.read(Fixtures.path(set, "golden/tokenizer.json")).getAsJsonArray();
        JsonArray texts = new JsonArray();
        for (int row = 0; row < inputIds.size(0); row++) {
            List<Long> ids = new ArrayList<>();
            for (long id : inputIds.getRow(row).toLongVector()) {
                ids.add(id);
            }
            for (JsonElement e : golden) {
                List<Long> candidate = new ArrayList<>();
                e.getAsJsonObject().getAsJsonArray("ids77").forEach(x -> candidate.add(x.getAsLong()));
                if (candidate.equals(ids)) {
                    texts.add(e.getAsJsonObject().get("text"));
                    break;
                }
            }
        }
        assertEquals(inputIds.size(0), texts.size(), "every golden input row is a tokenizer.json prompt");
        return texts;
    }

    @Test
    void clipSkipAddsTheConditioningItSelects() throws Exception {
        Path input = dir.resolve("texts.json");
        Files.writeString(input, "[\"a photo of a cat\"]");
        Path out = dir.resolve("out.safetensors");
        Run r = run("encode-text", "--model", Fixtures.path("sd1-tiny", "model").toString(), "--texts-json", input.toString(),
                "--out", out.toString(), "--clip-skip", "2");
        assertEquals(0, r.code(), r.err());
        try (Safetensors written = Safetensors.open(out)) {
            assertEquals(written.load("penultimate_normed"), written.load("conditioning"));
        }
    }

    @Test
    void badArgumentsPrintUsageAndExitTwo() {
        Run missing = run("tokenize", "--model", "x");
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("exactly one of --text and --texts-json") && missing.err().contains("usage:"), missing.err());
        assertEquals(2, run("frobnicate").code());
        assertEquals(2, run().code());
        Run range = run("encode-text", "--model", Fixtures.path("sd1-tiny", "model").toString(), "--texts-json",
                Fixtures.path("sd1-tiny", "golden/tokenizer.json").toString(), "--out", dir.resolve("o").toString(), "--clip-skip", "99");
        assertEquals(2, range.code(), range.err());
    }

    @Test
    void modelProblemsPrintOneLineAndExitOne() {
        Run r = run("tokenize", "--model", dir.resolve("missing.safetensors").toString(), "--text", "a");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("error: model not found"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace");
        Run pickle = run("tokenize", "--model", dir.resolve("v1-5.ckpt").toString(), "--text", "a");
        assertEquals(1, pickle.code());
    }
}
