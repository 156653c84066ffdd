package diffusionj.lm;

import diffusionj.Fixtures;
import diffusionj.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;

import static diffusionj.Parity.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** GPT-2 hidden states and logits against gpt2-tiny/golden/gpt2.safetensors. */
class Gpt2ModelParityTest {

    @Test
    void hiddenStatesAndLogitsMatchTheReference() {
        Gpt2Model model = Gpt2Model.load(Fixtures.path("gpt2-tiny", "model"));
        try (Safetensors g = Safetensors.open(Fixtures.path("gpt2-tiny", "golden/gpt2.safetensors"))) {
            INDArray ids = g.load("input_ids");
            long[][] rows = new long[(int) ids.size(0)][];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = ids.getRow(i).toLongVector();
            }
            Map<String, INDArray> out = model.forward(rows, Gpt2Model.hiddenState(0), Gpt2Model.hiddenState(1),
                    Gpt2Model.hiddenState(2), Gpt2Model.hiddenState(3), Gpt2Model.LOGITS);
            for (int i = 0; i <= 3; i++) {
                assertClose(g.load("hidden_states." + i), out.get(Gpt2Model.hiddenState(i)), 1e-4, "hidden_states." + i);
            }
            assertClose(g.load("logits"), out.get(Gpt2Model.LOGITS), 1e-4, "logits");
        }
    }

    @Test
    void greedyDecodingWithTheCacheReproducesTheReferenceSequence() {
        TokenPredictor predictor = new TokenPredictor(Gpt2Model.load(Fixtures.path("gpt2-tiny", "model")));
        try (Safetensors g = Safetensors.open(Fixtures.path("gpt2-tiny", "golden/gpt2.safetensors"))) {
            long[] prompt = g.load("greedy_prompt").toLongVector();
            long[] expected = g.load("greedy_sequence").toLongVector();
            assertArrayEquals(expected, predictor.greedy(prompt, expected.length - prompt.length));
        }
    }

    @Test
    void topFiveNextTokensAndProbabilitiesMatchTheReference() {
        TokenPredictor predictor = new TokenPredictor(Gpt2Model.load(Fixtures.path("gpt2-tiny", "model")));
        try (Safetensors g = Safetensors.open(Fixtures.path("gpt2-tiny", "golden/gpt2.safetensors"))) {
            List<TokenPredictor.Candidate> top = predictor.candidates(g.load("greedy_prompt").toLongVector(), 5);
            long[] ids = g.load("top5_ids").toLongVector();
            float[] probs = g.load("top5_probs").toFloatVector();
            for (int i = 0; i < 5; i++) {
                assertEquals(ids[i], top.get(i).id(), "id " + i);
                assertEquals(probs[i], top.get(i).probability(), 1e-5, "probability " + i);
            }
        }
    }
}
