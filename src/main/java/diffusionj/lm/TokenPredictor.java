package diffusionj.lm;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Next-token prediction with a GPT-2 model: the most probable next tokens of a text, and greedy
 * continuations that reuse the key/value cache (each new token costs one step, not a pass over the prefix).
 */
public final class TokenPredictor {
    /** A candidate next token and its probability under the softmax of the last position's logits. */
    public record Candidate(int id, double probability) {
    }

    private final Gpt2Model model;

    public TokenPredictor(Gpt2Model model) {
        this.model = model;
    }

    public List<Candidate> candidates(long[] prompt, int k) {
        INDArray logits = model.forward(new long[][]{prompt}, Gpt2Model.LOGITS).get(Gpt2Model.LOGITS);
        return topK(lastPosition(logits), k);
    }

    /** The prompt followed by {@code newTokens} greedily chosen tokens. */
    public long[] greedy(long[] prompt, int newTokens) {
        if (prompt.length + newTokens > model.config().positions()) {
            throw new IllegalArgumentException("prompt of " + prompt.length + " tokens plus " + newTokens
                    + " new ones exceeds the model's context of " + model.config().positions());
        }
        long[] sequence = Arrays.copyOf(prompt, prompt.length + newTokens);
        Map<String, INDArray> state = model.prefill(new long[][]{prompt});
        for (int i = 0; i < newTokens; i++) {
            long next = lastPosition(state.get(Gpt2Model.LOGITS)).argMax().getLong(0);
            sequence[prompt.length + i] = next;
            if (i < newTokens - 1) {
                state = model.step(new long[]{next}, prompt.length + i, state);
            }
        }
        return sequence;
    }

    private static INDArray lastPosition(INDArray logits) {
        return logits.get(NDArrayIndex.point(0), NDArrayIndex.point(logits.size(1) - 1), NDArrayIndex.all());
    }

    private static List<Candidate> topK(INDArray logits, int k) {
        double[] p = Transforms.softmax(logits.reshape(1, -1).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE)).data().asDouble();
        List<Candidate> all = new ArrayList<>(p.length);
        for (int i = 0; i < p.length; i++) {
            all.add(new Candidate(i, p[i]));
        }
        all.sort(Comparator.comparingDouble(Candidate::probability).reversed());
        return all.subList(0, Math.min(k, all.size()));
    }
}
