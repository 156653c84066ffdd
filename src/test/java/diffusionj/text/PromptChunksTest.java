package diffusionj.text;

import diffusionj.Fixtures;
import diffusionj.io.Checkpoint;
import diffusionj.io.Checkpoints;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static diffusionj.Parity.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class PromptChunksTest {
    private static ClipTokenizer tokenizer;

    @BeforeAll
    static void load() {
        tokenizer = ClipTokenizer.load(Fixtures.path("sd1-tiny", "model/tokenizer"));
    }

    @Test
    void shortPromptIsOneChunkEqualToTheTokenizersContextIds() {
        PromptChunks c = PromptChunks.of("a photo of a cat", tokenizer);
        assertEquals(1, c.chunks().size());
        assertEquals(5, c.tokenCount());
        assertArrayEquals(tokenizer.contextIds(tokenizer.encode("a photo of a cat")), c.chunks().get(0).ids());
    }

    @Test
    void emptyPromptIsOneChunkOfBosEosAndPadding() {
        PromptChunks c = PromptChunks.of("", tokenizer);
        assertEquals(1, c.chunks().size());
        assertEquals(0, c.tokenCount());
        assertEquals(tokenizer.bos(), c.chunks().get(0).ids()[0]);
        assertEquals(tokenizer.eos(), c.chunks().get(0).ids()[1]);
    }

    @Test
    void moreThanSeventyFiveTokensSpillIntoASecondChunk() {
        PromptChunks c = PromptChunks.of("x ".repeat(100), tokenizer);
        assertEquals(2, c.chunks().size());
        assertEquals(75 + 25, c.tokenCount());
        int x = tokenizer.encode("x")[0];
        assertEquals(x, c.chunks().get(0).ids()[75]);
        assertEquals(tokenizer.eos(), c.chunks().get(0).ids()[76]);
        assertEquals(x, c.chunks().get(1).ids()[25]);
        assertEquals(tokenizer.eos(), c.chunks().get(1).ids()[26]);
    }

    @Test
    void aFullChunkIsCutAfterItsLastCommaWithinTwentyTokens() {
        String prompt = "x ".repeat(70) + ", y y y y y y";
        PromptChunks c = PromptChunks.of(prompt, tokenizer);
        assertEquals(2, c.chunks().size());
        assertEquals(tokenizer.encode(",")[0], c.chunks().get(0).ids()[71]);
        assertEquals(tokenizer.eos(), c.chunks().get(0).ids()[72]);
        int y = tokenizer.encode("y")[0];
        assertEquals(y, c.chunks().get(1).ids()[1]);
        assertEquals(tokenizer.eos(), c.chunks().get(1).ids()[7]);
    }

    @Test
    void breakStartsANewChunk() {
        PromptChunks c = PromptChunks.of("red circle BREAK blue square", tokenizer);
        assertEquals(2, c.chunks().size());
        assertArrayEquals(tokenizer.contextIds(tokenizer.encode("red circle")), c.chunks().get(0).ids());
        assertArrayEquals(tokenizer.contextIds(tokenizer.encode("blue square")), c.chunks().get(1).ids());
    }

    @Test
    void weightsSitOnTheirTokensPositions() {
        PromptChunks c = PromptChunks.of("a (red:1.5) cat", tokenizer);
        float[] w = c.chunks().get(0).weights();
        assertEquals(1f, w[0]);
        assertEquals(1f, w[1]);
        assertEquals(1.5f, w[2]);
        assertEquals(1f, w[3]);
        assertEquals(1f, w[4]);
    }

    @Test
    void weightedRowsAreScaledAndTheChunkKeepsItsMean() {
        try (Checkpoint checkpoint = Checkpoints.open(Fixtures.path("sd1-tiny", "model"), null)) {
            ClipTextEncoder text = ClipTextEncoder.load(checkpoint);
            PromptEncoder prompts = new PromptEncoder(tokenizer, text);
            INDArray plain = text.conditioning(new long[][]{tokenizer.contextIds(tokenizer.encode("a red cat"))}, 1);
            assertClose(plain, prompts.encode("a red cat", 1, 1), 1e-6, "weight 1 changes nothing");

            INDArray weighted = prompts.encode("a (red:1.5) cat", 1, 1);
            INDArray expected = plain.dup();
            expected.get(NDArrayIndex.point(0), NDArrayIndex.point(2), NDArrayIndex.all()).muli(1.5);
            expected.muli(plain.meanNumber().doubleValue() / expected.meanNumber().doubleValue());
            assertClose(expected, weighted, 1e-5, "row 2 ×1.5, mean restored");
            assertEquals(plain.meanNumber().doubleValue(), weighted.meanNumber().doubleValue(), 1e-6);

            assertArrayEquals(new long[]{1, 154, 32}, prompts.encode("a cat", 1, 2).shape());
            assertArrayEquals(new long[]{1, 154, 32}, prompts.encode("a BREAK cat", 1, 1).shape());
        }
    }
}
