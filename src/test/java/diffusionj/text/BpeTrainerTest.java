package diffusionj.text;

import diffusionj.shapes.Scene;
import diffusionj.shapes.SceneSampler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A vocabulary learned from the shapes captions: every caption word becomes one token, and CLIP's tokenizer reads it. */
class BpeTrainerTest {

    @Test
    void aVocabularyLearnedFromCaptionsMakesEachCaptionWordOneToken(@TempDir Path dir) {
        SceneSampler sampler = new SceneSampler(4);
        List<String> captions = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            Scene s = sampler.next();
            captions.add(sampler.caption(s));
        }
        List<String> merges = BpeTrainer.learn(captions, 5000);
        assertEquals(merges, BpeTrainer.learn(captions, 5000), "deterministic");
        BpeTrainer.write(merges, dir);
        ClipTokenizer tokenizer = ClipTokenizer.load(dir);
        for (String word : List.of("red", "circle", "triangle", "purple", "left", "bottom", "big", "small", ",", "and", "the")) {
            assertEquals(1, tokenizer.encode(word).length, word);
        }
        int[] ids = tokenizer.encode("a big red circle on the left");
        assertEquals(7, ids.length);
        assertEquals("circle", tokenizer.tokenText(ids[3]));
        assertTrue(tokenizer.endsWord(ids[3]));
        assertArrayEquals(tokenizer.encode("A BIG   red circle"), tokenizer.encode("a big red circle"), "cleaned as CLIP cleans");
        assertTrue(tokenizer.encode("zebra").length > 1, "an unseen word still tokenizes, in pieces");
    }
}
