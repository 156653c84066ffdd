package diffusionj.text;

import com.google.gson.JsonElement;
import diffusionj.Fixtures;
import diffusionj.io.JsonFiles;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TokenCountTest {

    @Test
    void countsTheGoldenTokenisationOfEveryPromptWithoutSyntax() {
        ClipTokenizer tokenizer = ClipTokenizer.load(Fixtures.path("sd1-tiny", "model/tokenizer"));
        for (JsonElement e : JsonFiles.read(Fixtures.path("sd1-tiny", "golden/tokenizer.json")).getAsJsonArray()) {
            String text = e.getAsJsonObject().get("text").getAsString();
            if (text.contains("(") || text.contains("[") || text.contains(",")) {
                continue;
            }
            int bpe = e.getAsJsonObject().getAsJsonArray("bpe").size();
            TokenCount count = TokenCount.of(text, tokenizer);
            assertEquals(bpe, count.tokens(), text);
            assertEquals(Math.max(1, (bpe + 74) / 75), count.chunks(), text);
        }
    }

    @Test
    void formatShowsTokensRoomAndChunks() {
        ClipTokenizer tokenizer = ClipTokenizer.load(Fixtures.path("sd1-tiny", "model/tokenizer"));
        assertEquals("5/75 (1)", TokenCount.of("a photo of a cat", tokenizer).format());
        assertEquals("100/150 (2)", TokenCount.of("x ".repeat(100), tokenizer).format());
        assertEquals("0/75 (1)", TokenCount.of("", tokenizer).format());
        assertEquals("2/75 (1)", TokenCount.of("(red:1.5) cat", tokenizer).format(), "weights syntax is not counted");
        assertEquals("76/150 (2)", TokenCount.of("red BREAK cat", tokenizer).format(), "a closed chunk counts 75, then 1 for cat");
    }
}
