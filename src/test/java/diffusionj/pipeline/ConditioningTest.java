package diffusionj.pipeline;

import diffusionj.text.Embeddings;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
