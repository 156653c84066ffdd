package diffusionj.text;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Prompt text → conditioning [1, 77·chunks, width]: the prompt is parsed for weights, cut into chunks,
 * each chunk encoded by the text tower; then, per chunk, every position's embedding row is multiplied by
 * its weight and the chunk rescaled to its original mean (so weights shift emphasis, not overall scale),
 * and the chunks are concatenated along the token axis.
 */
public final class PromptEncoder {
    private final ClipTokenizer tokenizer;
    private final ClipTextEncoder encoder;

    /** See {@link ClipTextEncoder#releaseWeightPages}. */
    public void releaseWeightPages() {
        encoder.releaseWeightPages();
    }

    public PromptEncoder(ClipTokenizer tokenizer, ClipTextEncoder encoder) {
        this.tokenizer = tokenizer;
        this.encoder = encoder;
    }

    public ClipTokenizer tokenizer() {
        return tokenizer;
    }

    public ClipTextEncoder encoder() {
        return encoder;
    }

    /** @param minChunks pad with empty chunks up to this count (prompt and negative prompt must align for guidance) */
    public INDArray encode(String prompt, int clipSkip, int minChunks) {
        return encode(prompt, clipSkip, minChunks, Embeddings.NONE);
    }

    /** As {@link #encode(String, int, int)}, the names of {@code embeddings} standing for their vectors. */
    public INDArray encode(String prompt, int clipSkip, int minChunks, Embeddings embeddings) {
        return encode(prompt, encoder.clipSkipOutput(clipSkip), false, minChunks, embeddings).conditioning();
    }

    /**
     * A prompt through this tower: the weighted tower output {@code output} (a {@link ClipTextEncoder} output name),
     * [1, 77·chunks, width], and with {@code pooled} the first chunk's pooled vector [1, projectionDim], unweighted
     * (SDXL; the web UIs also pool the first chunk only).
     */
    public Encoded encode(String prompt, String output, boolean pooled, int minChunks, Embeddings embeddings) {
        PromptChunks chunks = PromptChunks.of(prompt, tokenizer, embeddings);
        PromptChunks empty = PromptChunks.of("", tokenizer);
        int n = Math.max(minChunks, chunks.chunks().size());
        long[][] ids = new long[n][];
        float[][] weights = new float[n][];
        List<List<PromptChunks.Placed>> placed = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            PromptChunks.Chunk c = i < chunks.chunks().size() ? chunks.chunks().get(i) : empty.chunks().get(0);
            ids[i] = c.ids();
            weights[i] = c.weights();
            placed.add(c.embeddings());
        }
        Map<String, INDArray> out = pooled ? encoder.encode(ids, placed, output, ClipTextEncoder.LAST_HIDDEN_STATE)
                : encoder.encode(ids, placed, output);
        INDArray z = out.get(output);
        if (pooled) {
            // Pooling reads the unweighted final-normed states, so it comes before the weights change z (which may be the same array).
            INDArray first = encoder.pooled(new long[][]{ids[0]}, out.get(ClipTextEncoder.LAST_HIDDEN_STATE));
            return new Encoded(weighted(z, weights), first);
        }
        return new Encoded(weighted(z, weights), null);
    }

    /** What one prompt becomes in one tower (see {@link #encode(String, String, boolean, int, Embeddings)}). */
    public record Encoded(INDArray conditioning, INDArray pooled) {
    }

    /** Each position's row times its weight, each chunk rescaled to its original mean; chunks concatenated: [1, 77·n, width]. */
    private INDArray weighted(INDArray z, float[][] weights) {
        for (int i = 0; i < weights.length; i++) {
            INDArray chunk = z.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.all());
            double originalMean = chunk.meanNumber().doubleValue();
            chunk.muliColumnVector(Nd4j.createFromArray(weights[i]).reshape(-1, 1));
            chunk.muli(originalMean / chunk.meanNumber().doubleValue());
        }
        return z.reshape(1, (long) weights.length * ClipTokenizer.CONTEXT_LENGTH, encoder.config().width());
    }

    public int textLayers() {
        return encoder.config().layers();
    }

    /** Number of 77-position chunks the prompt needs. */
    public int chunkCount(String prompt) {
        return chunkCount(prompt, Embeddings.NONE);
    }

    public int chunkCount(String prompt, Embeddings embeddings) {
        return PromptChunks.of(prompt, tokenizer, embeddings).chunks().size();
    }

    /** The embeddings of {@code embeddings} that {@code prompt} uses. */
    public List<TextualInversion> embeddingsUsed(String prompt, Embeddings embeddings) {
        return PromptChunks.of(prompt, tokenizer, embeddings).embeddings();
    }

    /** The embeddings in {@code folders} for this text tower. */
    public Embeddings embeddingsIn(List<java.nio.file.Path> folders) {
        return Embeddings.in(folders, tokenizer, encoder.config().width());
    }
}
