package diffusionj.lm;

import diffusionj.Fixtures;
import diffusionj.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

import static diffusionj.Parity.assertClose;

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
}
