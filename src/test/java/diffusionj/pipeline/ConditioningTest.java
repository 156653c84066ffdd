package diffusionj.pipeline;

import diffusionj.text.Embeddings;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** Prompt editing and alternation reach the UNet: each model call gets the texts in force, each encoded once. */
class ConditioningTest extends TinyModelTest {

    private static INDArray half(INDArray context, int which) {
        return context.get(NDArrayIndex.interval(which, which + 1), NDArrayIndex.all(), NDArrayIndex.all());
    }

    @Test
    void editingAndAlternationChangeTheConditioningAtTheirSteps() {
        Conditioning c = new Conditioning(model.conditioning(), Embeddings.NONE, "a [red circle:blue square:3]", "[blurry|grainy]", 10, 1, 1);
        assertEquals(Set.of("a red circle", "a blue square", "blurry", "grainy"), Set.copyOf(c.texts()));
        INDArray red = model.prompts().encode("a red circle", 1, 1);
        INDArray blue = model.prompts().encode("a blue square", 1, 1);
        INDArray blurry = model.prompts().encode("blurry", 1, 1);
        INDArray grainy = model.prompts().encode("grainy", 1, 1);
        for (int call = 0; call < 10; call++) {
            INDArray context = c.context(call);
            assertEquals(call <= 3 ? red : blue, half(context, 1), "prompt at call " + call);
            // The web UI's alternation: calls 0 and 1 take the first option (entries end at steps 1, 2, …), then it alternates.
            assertEquals(List.of(0, 1, 3, 5, 7, 9).contains(call) ? blurry : grainy, half(context, 0), "negative at call " + call);
        }
        assertEquals("a blue square", c.finalPrompt());
    }

    /** The hires fix's second pass: the same texts, with the same encodings, switching at its own steps. */
    @Test
    void anotherStepCountSchedulesTheSameTextsAtItsOwnSteps() {
        Conditioning c = new Conditioning(model.conditioning(), Embeddings.NONE, "a [red circle:blue square:0.5]", "blurry", 10, 1, 1);
        Conditioning again = c.forSteps(4);
        assertEquals(Set.copyOf(c.texts()), Set.copyOf(again.texts()));
        assertEquals(half(c.context(0), 1), half(again.context(2), 1), "the first text up to step 2 of 4, as up to step 5 of 10");
        assertEquals(half(c.context(9), 1), half(again.context(3), 1));
        assertNotEquals(half(again.context(2), 1), half(again.context(3), 1));
    }
}
