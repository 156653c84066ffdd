package diffusionj.text;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import diffusionj.Fixtures;
import diffusionj.io.JsonFiles;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ClipTokenizerTest {

    @ParameterizedTest
    @ValueSource(strings = {"sd1-tiny", "sd2-tiny"})
    void bpeAndContextIdsMatchTheReferenceForEveryGoldenPrompt(String set) {
        ClipTokenizer tokenizer = ClipTokenizer.load(Fixtures.path(set, "model/tokenizer"));
        JsonArray golden = JsonFiles.read(Fixtures.path(set, "golden/tokenizer.json")).getAsJsonArray();
        assertEquals(20, golden.size());
        for (JsonElement e : golden) {
            String text = e.getAsJsonObject().get("text").getAsString();
            int[] bpe = tokenizer.encode(text);
            assertArrayEquals(ints(e.getAsJsonObject().getAsJsonArray("bpe")), bpe, () -> "bpe of '" + text + "'");
            long[] ids77 = tokenizer.contextIds(bpe);
            int[] expected = ints(e.getAsJsonObject().getAsJsonArray("ids77"));
            for (int i = 0; i < 77; i++) {
                assertEquals(expected[i], ids77[i], "ids77[" + i + "] of '" + text + "'");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sd1-tiny", "sd2-tiny"})
    void padIdComesFromTheTokenizerConfig(String set) {
        ClipTokenizer tokenizer = ClipTokenizer.load(Fixtures.path(set, "model/tokenizer"));
        assertEquals(49406, tokenizer.bos());
        assertEquals(49407, tokenizer.eos());
        assertEquals(set.equals("sd1-tiny") ? 49407 : 0, tokenizer.pad());
    }

    @ParameterizedTest
    @ValueSource(strings = {"sd1-tiny"})
    void tokenTextIsReadableAndMarksWordEnds(String set) {
        ClipTokenizer tokenizer = ClipTokenizer.load(Fixtures.path(set, "model/tokenizer"));
        int[] ids = tokenizer.encode("Zürich cats");
        StringBuilder joined = new StringBuilder();
        for (int id : ids) {
            joined.append(tokenizer.tokenText(id)).append(tokenizer.endsWord(id) ? " " : "");
        }
        assertEquals("zürich cats ", joined.toString());
    }

    private static int[] ints(JsonArray a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsInt();
        }
        return out;
    }
}
