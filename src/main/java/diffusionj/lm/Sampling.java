package diffusionj.lm;

/**
 * How a continuation picks each next token: greedily, or by drawing from the softmax at
 * {@code temperature} restricted to the {@code topK} most probable tokens and then to the smallest set whose
 * probability reaches {@code topP} (nucleus sampling, Holtzman et al., 2020). A seed makes draws repeatable.
 */
public record Sampling(boolean greedy, int topK, double topP, double temperature, long seed) {
    public static Sampling greedyDecoding() {
        return new Sampling(true, 1, 1, 1, 0);
    }

    public static Sampling topK(int k, long seed) {
        return new Sampling(false, k, 1, 1, seed);
    }

    public Sampling {
        if (topK < 1) {
            throw new IllegalArgumentException("top-k must be at least 1, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
        }
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("temperature must be positive, got " + temperature);
        }
    }
}
