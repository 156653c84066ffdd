package diffusionj.text;

import java.util.ArrayList;
import java.util.List;

/**
 * A weighted prompt cut into the text tower's 75-token chunks, as the web UIs cut it: a chunk ends when
 * it is full or at BREAK; a full chunk whose last comma lies at most {@link #COMMA_BACKTRACK} tokens back
 * is cut after that comma instead, so phrases are not split. Each chunk is wrapped in BOS/EOS and padded
 * to 77 positions; every position carries the weight of its token (1 for BOS, EOS and padding).
 * A textual-inversion embedding's name becomes its n vectors' places (id 0, to be replaced in the text tower),
 * never split between chunks: one that does not fit starts the next chunk.
 */
public record PromptChunks(List<Chunk> chunks, int tokenCount) {
    /** ids and weights of one chunk, 77 each, and the embeddings standing in it. */
    public record Chunk(long[] ids, float[] weights, List<Placed> embeddings) {
        public Chunk(long[] ids, float[] weights) {
            this(ids, weights, List.of());
        }
    }

    /** An embedding whose vectors take positions {@code first} … {@code first + n − 1} of a chunk's 77. */
    public record Placed(int first, TextualInversion embedding) {
    }

    /** The id an embedding's places hold ("!"; the web UI's choice: any id would do, its row is replaced). */
    static final int PLACEHOLDER = 0;

    public static final int COMMA_BACKTRACK = 20;

    public static PromptChunks of(String prompt, ClipTokenizer tokenizer) {
        return of(prompt, tokenizer, Embeddings.NONE);
    }

    public static PromptChunks of(String prompt, ClipTokenizer tokenizer, Embeddings embeddings) {
        Builder b = new Builder(tokenizer);
        for (PromptSyntax.Fragment f : PromptSyntax.parse(prompt)) {
            if (f.isBreak()) {
                b.nextChunk(false);
                continue;
            }
            int[] ids = tokenizer.encode(f.text());
            for (int i = 0; i < ids.length; ) {
                Embeddings.Match m = embeddings.isEmpty() ? null : embeddings.at(ids, i);
                if (m == null) {
                    b.add(ids[i], (float) f.weight());
                    i++;
                } else {
                    b.add(m.embedding(), (float) f.weight());
                    i += m.nameLength();
                }
            }
        }
        if (!b.tokens.isEmpty() || b.chunks.isEmpty()) {
            b.nextChunk(true);
        }
        return new PromptChunks(List.copyOf(b.chunks), b.tokenCount);
    }

    /** Every embedding the prompt uses, once each, in order of first use. */
    public List<TextualInversion> embeddings() {
        java.util.LinkedHashMap<String, TextualInversion> used = new java.util.LinkedHashMap<>();
        chunks.forEach(c -> c.embeddings().forEach(p -> used.putIfAbsent(p.embedding().name(), p.embedding())));
        return List.copyOf(used.values());
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
        private List<Placed> placed = new ArrayList<>();
        private int lastComma = -1;
        private int tokenCount;

        Builder(ClipTokenizer tokenizer) {
            this.tokenizer = tokenizer;
            int[] commaIds = tokenizer.encode(",");
            this.comma = commaIds.length == 1 ? commaIds[0] : -1;
        }

        void add(int id, float weight) {
            makeRoom(id == comma);
            tokens.add(id);
            weights.add(weight);
        }

        /** An embedding's vectors, all in one chunk (the web UI's {@code tokenize_line}). */
        void add(TextualInversion embedding, float weight) {
            makeRoom(false);
            if (tokens.size() + embedding.count() > ClipTokenizer.CHUNK_TOKENS) {
                nextChunk(false);
            }
            placed.add(new Placed(tokens.size() + 1, embedding));
            for (int i = 0; i < embedding.count(); i++) {
                tokens.add(PLACEHOLDER);
                weights.add(weight);
            }
        }

        /** Before a token: remember a comma; close a full chunk, after its last comma if that is near. */
        private void makeRoom(boolean isComma) {
            if (isComma) {
                lastComma = tokens.size();
            } else if (tokens.size() == ClipTokenizer.CHUNK_TOKENS && lastComma != -1
                    && tokens.size() - lastComma <= COMMA_BACKTRACK) {
                int cut = lastComma + 1;
                List<Integer> movedTokens = new ArrayList<>(tokens.subList(cut, tokens.size()));
                List<Float> movedWeights = new ArrayList<>(weights.subList(cut, weights.size()));
                List<Placed> movedPlaced = placed.stream().filter(p -> p.first() > cut).map(p -> new Placed(p.first() - cut, p.embedding())).toList();
                tokens = new ArrayList<>(tokens.subList(0, cut));
                weights = new ArrayList<>(weights.subList(0, cut));
                placed = new ArrayList<>(placed.stream().filter(p -> p.first() <= cut).toList());
                nextChunk(false);
                tokens = movedTokens;
                weights = movedWeights;
                placed = new ArrayList<>(movedPlaced);
            }
            if (tokens.size() == ClipTokenizer.CHUNK_TOKENS) {
                nextChunk(false);
            }
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
            chunks.add(new Chunk(tokenizer.contextIds(ids), w, List.copyOf(placed)));
            tokens = new ArrayList<>();
            weights = new ArrayList<>();
            placed = new ArrayList<>();
            lastComma = -1;
        }
    }
}
