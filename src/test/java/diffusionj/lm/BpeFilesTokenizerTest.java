package diffusionj.lm;

import diffusionj.text.ByteLevelAlphabet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * A model folder's vocab.json + merges.txt must tokenize exactly as GPT-2 does. The files are rebuilt here
 * from jtokkit's r50k_base ranks (GPT-2's own vocabulary): each token's merge is the split that BPE with
 * only the earlier ranks produces.
 */
class BpeFilesTokenizerTest {
    @TempDir
    static Path folder;

    @BeforeAll
    static void writeGpt2Files() throws IOException {
        List<byte[]> tokens = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                Gpt2Tokenizer.class.getResourceAsStream("/com/knuddels/jtokkit/r50k_base.tiktoken"), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                tokens.add(Base64.getDecoder().decode(line.split(" ")[0]));
            }
        }
        Map<String, Integer> rank = new HashMap<>();
        StringBuilder vocab = new StringBuilder("{");
        StringBuilder merges = new StringBuilder("#version: 0.2\n");
        for (int id = 0; id < tokens.size(); id++) {
            String symbol = ByteLevelAlphabet.encode(tokens.get(id));
            if (symbol.length() > 1) {
                String[] pair = lastMerge(symbol, rank);
                merges.append(pair[0]).append(' ').append(pair[1]).append('\n');
            }
            rank.put(symbol, id);
            vocab.append(quote(symbol))
                    .append(':').append(id).append(',');
        }
        vocab.append(quote("<|endoftext|>")).append(':').append(Gpt2Tokenizer.END_OF_TEXT).append('}');
        Files.writeString(folder.resolve("vocab.json"), vocab, StandardCharsets.UTF_8);
        Files.writeString(folder.resolve("merges.txt"), merges, StandardCharsets.UTF_8);
    }

    private static String quote(String s) {
        return new com.google.gson.Gson().toJson(s);
    }

    /** BPE of the token's bytes with the ranks known so far stops at the two parts its own merge joins. */
    private static String[] lastMerge(String symbol, Map<String, Integer> rank) {
        List<String> parts = new ArrayList<>();
        symbol.chars().forEach(c -> parts.add(Character.toString(c)));
        while (parts.size() > 2) {
            int best = -1;
            int bestRank = Integer.MAX_VALUE;
            for (int i = 0; i < parts.size() - 1; i++) {
                Integer r = rank.get(parts.get(i) + parts.get(i + 1));
                if (r != null && r < bestRank) {
                    bestRank = r;
                    best = i;
                }
            }
            parts.set(best, parts.get(best) + parts.remove(best + 1));
        }
        return new String[]{parts.get(0), parts.get(1)};
    }

    @Test
    void aFolderWithVocabularyFilesTokenizesExactlyAsGpt2() {
        Gpt2Tokenizer files = Gpt2Tokenizer.forModel(folder);
        assertInstanceOf(BpeFilesTokenizer.class, files);
        Gpt2Tokenizer gpt2 = Gpt2Tokenizer.r50kBase();
        for (String text : List.of("hello world", "a red circle on the left, and a small blue square",
                "masterpiece, best quality, 1girl, (long hair:1.2), Zürich — 日本語 テキスト", "It's 3.14159 o'clock!!  \n\n  tabs\tand   spaces ",
                "fluorescence microscopy of HeLa cells, DAPI-stained nuclei", "   leading spaces", "emoji 🎨🖌️ and ümlauts")) {
            assertArrayEquals(gpt2.encode(text), files.encode(text), text);
            assertEquals(text, files.decode(files.encode(text)));
        }
        assertEquals(Gpt2Tokenizer.END_OF_TEXT, files.endOfText());
    }

    @Test
    void aFolderWithoutVocabularyFilesUsesR50kBase(@TempDir Path empty) {
        assertInstanceOf(JtokkitTokenizer.class, Gpt2Tokenizer.forModel(empty));
    }
}
