package diffusionj.lm;

import diffusionj.Fixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompletionTest {
    private static TokenPredictor predictor;
    private static final Gpt2Tokenizer TOKENIZER = Gpt2Tokenizer.r50kBase();

    @BeforeAll
    static void load() {
        predictor = new TokenPredictor(Gpt2Model.load(Fixtures.path("gpt2-tiny", "model")));
    }

    @Test
    void gpt2TokenizerGivesTheKnownIdsAndRoundTrips() {
        assertArrayEquals(new long[]{31373, 995}, TOKENIZER.encode("hello world"));
        String text = "red circle, blue square — Zürich";
        assertEquals(text, TOKENIZER.decode(TOKENIZER.encode(text)));
    }

    @Test
    void sampledContinuationsAreDeterministicForASeed() {
        long[] prompt = TOKENIZER.encode("a red circle on the");
        long[] a = predictor.continuation(prompt, 10, Sampling.topK(40, 7), id -> false);
        long[] b = predictor.continuation(prompt, 10, Sampling.topK(40, 7), id -> false);
        assertArrayEquals(a, b);
        assertEquals(prompt.length + 10, a.length);
        assertArrayEquals(prompt, Arrays.copyOf(a, prompt.length));
    }

    @Test
    void topKOneIsGreedy() {
        long[] prompt = TOKENIZER.encode("fluorescence microscopy of");
        assertArrayEquals(predictor.greedy(prompt, 6), predictor.continuation(prompt, 6, Sampling.topK(1, 99), id -> false));
    }

    @Test
    void generationStopsAfterTheStopToken() {
        long[] prompt = TOKENIZER.encode("a photo of");
        long first = predictor.greedy(prompt, 1)[prompt.length];
        long[] stopped = predictor.continuation(prompt, 8, Sampling.greedyDecoding(), id -> id == first);
        assertEquals(prompt.length + 1, stopped.length);
    }

    @Test
    void candidatesAreOrderedProbabilities() {
        List<TokenPredictor.Candidate> c = predictor.candidates(TOKENIZER.encode("a blue"), 10);
        assertEquals(10, c.size());
        for (int i = 1; i < c.size(); i++) {
            assertTrue(c.get(i - 1).probability() >= c.get(i).probability());
        }
    }

    @Test
    void textLongerThanTheContextIsAClearError() {
        long[] prompt = new long[60];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> predictor.continuation(prompt, 10, Sampling.greedyDecoding(), id -> false));
        assertTrue(e.getMessage().contains("context of 64 tokens"), e.getMessage());
    }
}
