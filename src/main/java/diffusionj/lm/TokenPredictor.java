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

    /** How many tokens the model sees at once. */
    public int contextLength() {
        return (int) model.config().positions();
    }

    public List<Candidate> candidates(long[] prompt, int k) {
        INDArray logits = model.forward(new long[][]{prompt}, Gpt2Model.LOGITS).get(Gpt2Model.LOGITS);
        return topK(lastPosition(logits), k);
    }

    /** The prompt followed by {@code newTokens} greedily chosen tokens. */
    public long[] greedy(long[] prompt, int newTokens) {
        return continuation(prompt, newTokens, Sampling.greedyDecoding(), id -> false);
    }

    /**
     * The prompt followed by up to {@code maxTokens} new tokens chosen as {@code sampling} says; generation
     * stops after a token for which {@code stopAfter} holds (a comma or newline when completing a tag).
     */
    public long[] continuation(long[] prompt, int maxTokens, Sampling sampling, java.util.function.LongPredicate stopAfter) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt has no tokens");
        }
        if (prompt.length + maxTokens > model.config().positions()) {
            throw new IllegalArgumentException("the text (" + prompt.length + " tokens) plus " + maxTokens
                    + " new ones exceeds the language model's context of " + model.config().positions() + " tokens");
        }
        java.util.SplittableRandom random = new java.util.SplittableRandom(sampling.seed());
        long[] sequence = Arrays.copyOf(prompt, prompt.length + maxTokens);
        Map<String, INDArray> state = model.prefill(new long[][]{prompt});
        int produced = 0;
        while (produced < maxTokens) {
            INDArray logits = lastPosition(state.get(Gpt2Model.LOGITS));
            long next = sampling.greedy() ? logits.argMax().getLong(0) : draw(logits, sampling, random);
            sequence[prompt.length + produced++] = next;
            if (produced == maxTokens || stopAfter.test(next)) {
                break;
            }
            state = model.step(new long[]{next}, prompt.length + produced - 1, state);
        }
        return Arrays.copyOf(sequence, prompt.length + produced);
    }

    /** Top-k, then top-p, then a draw from the renormalised probabilities at the given temperature. */
    private static long draw(INDArray logits, Sampling s, java.util.SplittableRandom random) {
        List<Candidate> kept = topK(logits.div(s.temperature()), s.topK());
        double mass = 0;
        int n = 0;
        while (n < kept.size() && (n == 0 || mass < s.topP())) {
            mass += kept.get(n++).probability();
        }
        double u = random.nextDouble() * mass;
        for (int i = 0; i < n; i++) {
            u -= kept.get(i).probability();
            if (u <= 0) {
                return kept.get(i).id();
            }
        }
        return kept.get(n - 1).id();
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
