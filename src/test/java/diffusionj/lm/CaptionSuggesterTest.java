package diffusionj.lm;

import diffusionj.Fixtures;
import diffusionj.text.ClipTokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CaptionSuggesterTest {
    private static ClipTokenizer clip;
    private static TokenPredictor lm;
    private static final Gpt2Tokenizer GPT2 = Gpt2Tokenizer.r50kBase();

    @BeforeAll
    static void load() {
        clip = ClipTokenizer.load(Fixtures.path("sd1-tiny", "model/tokenizer"));
        lm = new TokenPredictor(Gpt2Model.load(Fixtures.path("gpt2-tiny", "model")));
    }

    @Test
    void theTagAndWordBeingTypedAreFoundBeforeTheCaret() {
        assertEquals("soft li", CaptionSuggester.currentTag("a cat, soft li"));
        assertEquals("li", CaptionSuggester.currentWord("a cat, soft li"));
        assertEquals("", CaptionSuggester.currentTag("a cat, "));
        assertEquals("", CaptionSuggester.currentWord("a cat, "));
        assertEquals("dapi", CaptionSuggester.currentTag("cells\ndapi"));
    }

    @Test
    void clipWordsComeFromTheVocabularyMostFrequentFirstAndAreSingleTokens() {
        ClipWordCompleter words = new ClipWordCompleter(clip);
        assertTrue(words.size() > 10_000, "the CLIP vocabulary has tens of thousands of words, got " + words.size());
        List<ClipTokenizer.VocabularyWord> cat = words.complete("cat", 20);
        assertFalse(cat.isEmpty());
        for (int i = 1; i < cat.size(); i++) {
            assertTrue(cat.get(i - 1).rank() <= cat.get(i).rank(), "ranked by merge rank");
        }
        for (ClipTokenizer.VocabularyWord w : cat) {
            assertTrue(w.word().startsWith("cat") && w.word().length() > 3, w.word());
            assertEquals(1, clip.encode(w.word()).length, w.word() + " is one CLIP token");
        }
    }

    @Test
    void allThreeSourcesAreInterleavedAndAcceptingReplacesTheFragment() {
        CaptionSuggester s = new CaptionSuggester(TagCompleter.builtIn(), lm, GPT2, clip);
        List<Suggestion> out = s.suggest("a photo, soft li", 6);
        assertEquals(6, out.size());
        assertEquals(Suggestion.Source.TAG, out.get(0).source());
        assertEquals(Suggestion.Source.LM, out.get(1).source());
        assertEquals(Suggestion.Source.CLIP, out.get(2).source());
        Suggestion tag = out.get(0);
        assertTrue(tag.text().startsWith("soft li"), tag.text());
        assertEquals("a photo, " + tag.text(), tag.applyTo("a photo, soft li"));
        Suggestion word = out.get(2);
        assertTrue(word.text().startsWith("li"), word.text());
        assertEquals("a photo, soft " + word.text(), word.applyTo("a photo, soft li"));
        assertEquals(Boolean.TRUE, word.singleClipToken());
        Suggestion next = out.get(1);
        assertTrue(next.score() > 0 && next.score() < 1, "a probability");
        assertEquals("a photo, soft li" + next.insert(), next.applyTo("a photo, soft li"));
    }

    @Test
    void theLanguageModelsCandidatesAreItsTopTokensInOrder() {
        CaptionSuggester s = new CaptionSuggester(TagCompleter.builtIn(), lm, GPT2, null);
        List<Suggestion> out = s.suggest("a red circle on the ", 5);
        List<TokenPredictor.Candidate> top = lm.candidates(GPT2.encode("a red circle on the "), 5);
        List<Suggestion> fromLm = out.stream().filter(x -> x.source() == Suggestion.Source.LM).toList();
        assertEquals(GPT2.tokenText(top.get(0).id()).strip(), fromLm.get(0).text());
        assertEquals(top.get(0).probability(), fromLm.get(0).score(), 1e-12);
        assertNull(fromLm.get(0).singleClipToken(), "no CLIP vocabulary loaded");
    }

    @Test
    void aCaptionLongerThanTheModelsContextIsReadFromItsEnd() {
        CaptionSuggester s = new CaptionSuggester(TagCompleter.builtIn(), lm, GPT2, null);
        String tail = "a red circle on the ";
        String longText = "one more word ".repeat(40) + tail;
        assertTrue(GPT2.encode(longText).length > lm.contextLength());
        List<Suggestion> out = s.suggest(longText, 3);
        long[] ids = GPT2.encode(longText);
        long[] recent = java.util.Arrays.copyOfRange(ids, ids.length - lm.contextLength(), ids.length);
        assertEquals(GPT2.tokenText(lm.candidates(recent, 1).get(0).id()).strip(), out.get(0).text());
    }

    @Test
    void acceptingATagAddsTheTagSeparatorAndKeepsTheTextAfterTheCaret() {
        Suggestion tag = new Suggestion("soft lighting", "soft lighting", 7, 430, Suggestion.Source.TAG, null);
        CaptionEdit e = CaptionEdit.accept("a cat, soft li", 14, tag);
        assertEquals("a cat, soft lighting, ", e.text());
        assertEquals(e.text().length(), e.caret());
        CaptionEdit before = CaptionEdit.accept("a cat, soft li, 4k", 14, tag);
        assertEquals("a cat, soft lighting, 4k", before.text(), "no second comma when one follows");
        Suggestion word = new Suggestion("library", "library", 2, 900, Suggestion.Source.CLIP, true);
        CaptionEdit w = CaptionEdit.accept("a li in rain", 4, word);
        assertEquals("a library in rain", w.text());
        assertEquals(9, w.caret());
        Suggestion next = new Suggestion("cat", " cat", 0, 0.2, Suggestion.Source.LM, null);
        assertEquals("a cat", CaptionEdit.accept("a", 1, next).text());
    }

    @Test
    void withoutLanguageModelOnlyTagsAreProposed() {
        CaptionSuggester s = new CaptionSuggester(TagCompleter.builtIn(), null, null, null);
        assertFalse(s.hasLanguageModel());
        List<Suggestion> out = s.suggest("fluoresc", 5);
        assertFalse(out.isEmpty());
        assertTrue(out.stream().allMatch(x -> x.source() == Suggestion.Source.TAG));
        assertTrue(s.suggest("a cat, ", 5).isEmpty(), "nothing typed, no tag to complete, no LM");
        assertThrows(IllegalArgumentException.class, () -> s.suggest("a", 0));
    }
}
