package diffusionj.text;

import java.util.ArrayList;
import java.util.List;

/**
 * A weighted prompt cut into the text tower's 75-token chunks, as the web UIs cut it: a chunk ends when
 * it is full or at BREAK; a full chunk whose last comma lies at most {@link #COMMA_BACKTRACK} tokens back
 * is cut after that comma instead, so phrases are not split. Each chunk is wrapped in BOS/EOS and padded
 * to 77 positions; every position carries the weight of its token (1 for BOS, EOS and padding).
 */
public record PromptChunks(List<Chunk> chunks, int tokenCount) {
    /** ids and weights of one chunk, 77 each. */
    public record Chunk(long[] ids, float[] weights) {
    }

    public static final int COMMA_BACKTRACK = 20;

    public static PromptChunks of(String prompt, ClipTokenizer tokenizer) {
        Builder b = new Builder(tokenizer);
        for (PromptSyntax.Fragment f : PromptSyntax.parse(prompt)) {
            if (f.isBreak()) {
                b.nextChunk(false);
                continue;
            }
            for (int id : tokenizer.encode(f.text())) {
                b.add(id, (float) f.weight());
            }
        }
        if (!b.tokens.isEmpty() || b.chunks.isEmpty()) {
            b.nextChunk(true);
        }
        return new PromptChunks(List.copyOf(b.chunks), b.tokenCount);
    }

    /** Token ids of all chunks, [chunks][77]. */
    public long[][] ids() {
        long[][] out = new long[chunks.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = chunks.get(i).ids();
        }
        return out;
    }

    private static final class Builder {
        private final ClipTokenizer tokenizer;
        private final int comma;
        private final List<Chunk> chunks = new ArrayList<>();
        private List<Integer> tokens = new ArrayList<>();
        private List<Float> weights = new ArrayList<>();
        private int lastComma = -1;
        private int tokenCount;

        Builder(ClipTokenizer tokenizer) {
            this.tokenizer = tokenizer;
            int[] commaIds = tokenizer.encode(",");
            this.comma = commaIds.length == 1 ? commaIds[0] : -1;
        }

        void add(int id, float weight) {
            if (id == comma) {
                lastComma = tokens.size();
            } else if (tokens.size() == ClipTokenizer.CHUNK_TOKENS && lastComma != -1
                    && tokens.size() - lastComma <= COMMA_BACKTRACK) {
                int cut = lastComma + 1;
                List<Integer> movedTokens = new ArrayList<>(tokens.subList(cut, tokens.size()));
                List<Float> movedWeights = new ArrayList<>(weights.subList(cut, weights.size()));
                tokens = new ArrayList<>(tokens.subList(0, cut));
                weights = new ArrayList<>(weights.subList(0, cut));
                nextChunk(false);
                tokens = movedTokens;
                weights = movedWeights;
            }
            if (tokens.size() == ClipTokenizer.CHUNK_TOKENS) {
                nextChunk(false);
            }
            tokens.add(id);
            weights.add(weight);
        }

        /** The web UIs count a closed chunk as 75 tokens and the last one as what it holds. */
        void nextChunk(boolean last) {
            tokenCount += last ? tokens.size() : ClipTokenizer.CHUNK_TOKENS;
            int[] ids = tokens.stream().mapToInt(Integer::intValue).toArray();
            float[] w = new float[ClipTokenizer.CONTEXT_LENGTH];
            java.util.Arrays.fill(w, 1f);
            for (int i = 0; i < weights.size(); i++) {
                w[i + 1] = weights.get(i);
            }
            chunks.add(new Chunk(tokenizer.contextIds(ids), w));
            tokens = new ArrayList<>();
            weights = new ArrayList<>();
            lastComma = -1;
        }
    }
}
