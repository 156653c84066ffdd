package diffusionj.text;

import diffusionj.io.Checkpoint;
import diffusionj.io.CheckpointException;
import diffusionj.io.Component;
import diffusionj.nn.Activations;
import diffusionj.nn.GraphRunner;
import diffusionj.nn.GraphWeights;
import diffusionj.nn.LayerNorm;
import diffusionj.nn.WeightStore;
import diffusionj.nn.Linear;
import diffusionj.nn.MultiHeadAttention;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.List;
import java.util.Map;

/**
 * The CLIP text tower (Hugging Face {@code CLIPTextModel}) as one SameDiff graph: token + position
 * embeddings, pre-norm transformer layers with causal self-attention, and the final layer norm.
 * Input {@code input_ids} [batch, 77]; outputs, each [batch, 77, width]:
 * {@code hidden_states.0} (embeddings) … {@code hidden_states.L}, {@code last_hidden_state}, and
 * {@code clip_skip.N} — the final layer norm applied to the output N−1 layers before the last
 * ("CLIP skip N" of the web UIs; {@code clip_skip.1} equals {@code last_hidden_state}).
 */
public final class ClipTextEncoder {
    public static final String INPUT_IDS = "input_ids";
    public static final String LAST_HIDDEN_STATE = "last_hidden_state";
    /** [batch, 77, 1]: 1 where the token's own embedding is used, 0 where a textual-inversion vector replaces it. */
    static final String TOKEN_KEEP = "token_keep";
    /** [batch, 77, width]: the replacing vectors (zeros elsewhere). */
    static final String TOKEN_VECTORS = "token_vectors";

    private static final String PREFIX = "text_model.";
    private final ClipTextConfig config;
    private final SameDiff sd;
    private final WeightStore weights;
    /** Which of the model's towers this is (0; SDXL's second: 1): which vectors of a textual inversion it takes. */
    private final int tower;

    public ClipTextEncoder(ClipTextConfig config, WeightStore weights) {
        this(config, weights, 0);
    }

    public ClipTextEncoder(ClipTextConfig config, WeightStore weights, int tower) {
        this.config = config;
        this.weights = weights;
        this.tower = tower;
        this.sd = GraphRunner.newGraph();
        GraphWeights w = new GraphWeights(sd, weights);
        build(w, sd.placeHolder(INPUT_IDS, DataType.INT64, -1, ClipTokenizer.CONTEXT_LENGTH));
    }

    public static ClipTextEncoder load(Checkpoint checkpoint) {
        return load(checkpoint, Component.TEXT_ENCODER);
    }

    /** @param tower {@link Component#TEXT_ENCODER}, or SDXL's {@link Component#TEXT_ENCODER_2} */
    public static ClipTextEncoder load(Checkpoint checkpoint, Component tower) {
        return new ClipTextEncoder(ClipTextConfig.fromJson(checkpoint.config(tower)), WeightStore.inPlace(checkpoint.weights(tower)),
                tower == Component.TEXT_ENCODER_2 ? 1 : 0);
    }

    public static String hiddenState(int layer) {
        return "hidden_states." + layer;
    }

    public static String clipSkip(int n) {
        return "clip_skip." + n;
    }

    /** Its phase is over: weights read in place stop counting in memory until next used ({@link WeightStore#releasePages}). */
    public void releaseWeightPages() {
        weights.releasePages();
    }

    public ClipTextConfig config() {
        return config;
    }

    /** The weights the tower's graph reads (where LoRAs are merged in: {@link WeightStore#override}). */
    public WeightStore weights() {
        return weights;
    }

    /** Adds the tower to {@code w}'s graph behind token ids [batch, 77] and names all its outputs (see the class comment). */
    private void build(GraphWeights w, SDVariable ids) {
        SameDiff sd = w.graph();
        long t = ClipTokenizer.CONTEXT_LENGTH;
        long d = config.width();
        SDVariable[] states = hiddenStates(w, ids, Lookup.GATHER);
        for (int i = 0; i <= config.layers(); i++) {
            sd.reshape(hiddenState(i), states[i], -1, t, d);
        }
        for (int n = 1; n <= config.layers(); n++) {
            SDVariable normed = LayerNorm.apply(w, PREFIX + "final_layer_norm", states[config.layers() - n + 1], d, config.layerNormEps());
            sd.reshape(n == 1 ? LAST_HIDDEN_STATE : clipSkip(n), normed, -1, t, d);
        }
    }

    /**
     * Adds only what leads to the last hidden state [batch, 77, width] to {@code w}'s graph, differentiably:
     * the tower in front of a UNet for training.
     */
    public SDVariable lastHiddenState(GraphWeights w, SDVariable ids) {
        long d = config.width();
        SDVariable[] states = hiddenStates(w, ids, Lookup.ONE_HOT);
        return LayerNorm.apply(w, PREFIX + "final_layer_norm", states[config.layers()], d, config.layerNormEps())
                .reshape(-1, ClipTokenizer.CONTEXT_LENGTH, d);
    }

    /**
     * How token ids become embeddings: a gather for inference; for training a one-hot matrix product, the same
     * numbers, because SameDiff 1.0.0-M2.1's gather gradient is slow (measured: 60 s instead of ~4 s per
     * training step of the embedded model) and breaks when a graph holds two gathers.
     */
    private enum Lookup { GATHER, ONE_HOT }

    /** Embeddings, then each layer's output, [batch·77, width]. */
    private SDVariable[] hiddenStates(GraphWeights w, SDVariable ids, Lookup lookup) {
        SameDiff sd = w.graph();
        long t = ClipTokenizer.CONTEXT_LENGTH;
        long d = config.width();
        SDVariable table = w.get(PREFIX + "embeddings.token_embedding.weight", config.vocabSize(), d);
        SDVariable tokens = lookup == Lookup.GATHER ? sd.gather(table, ids, 0)
                : sd.mmul(sd.oneHot(ids.reshape(-1), (int) config.vocabSize()), table).reshape(-1, t, d);
        if (lookup == Lookup.GATHER) {
            // Textual inversion: the embedding's vectors take the places of its name's tokens, before positions are added.
            tokens = tokens.mul(sd.placeHolder(TOKEN_KEEP, DataType.FLOAT, -1, t, 1)).add(sd.placeHolder(TOKEN_VECTORS, DataType.FLOAT, -1, t, d));
        }
        SDVariable positions = w.get(PREFIX + "embeddings.position_embedding.weight", config.maxPositions(), d)
                .get(SDIndex.interval(0L, t));
        SDVariable h = tokens.add(positions).reshape(-1, d);
        SDVariable causal = sd.constant("causal_mask", MultiHeadAttention.causalMask(t));
        SDVariable[] states = new SDVariable[config.layers() + 1];
        states[0] = h;
        for (int i = 0; i < config.layers(); i++) {
            h = encoderLayer(w, PREFIX + "encoder.layers." + i, h, causal);
            states[i + 1] = h;
        }
        return states;
    }

    /** Pre-norm residual layer: h + attn(ln1(h)), then h + mlp(ln2(h)). */
    private SDVariable encoderLayer(GraphWeights w, String layer, SDVariable h, SDVariable causal) {
        w.orderAfter(h);
        long d = config.width();
        SDVariable x = LayerNorm.apply(w, layer + ".layer_norm1", h, d, config.layerNormEps());
        h = h.add(selfAttention(w, layer + ".self_attn", x, causal));
        x = LayerNorm.apply(w, layer + ".layer_norm2", h, d, config.layerNormEps());
        x = Linear.apply(w, layer + ".mlp.fc1", x, d, config.intermediate());
        x = Activations.byName(w.graph(), config.hiddenAct(), x);
        return h.add(Linear.apply(w, layer + ".mlp.fc2", x, config.intermediate(), d));
    }

    private SDVariable selfAttention(GraphWeights w, String prefix, SDVariable x, SDVariable causal) {
        long t = ClipTokenizer.CONTEXT_LENGTH;
        long d = config.width();
        long heads = config.heads();
        long hw = config.headWidth();
        SDVariable q = MultiHeadAttention.splitHeads(Linear.apply(w, prefix + ".q_proj", x, d, d), t, heads, hw);
        SDVariable k = MultiHeadAttention.splitHeads(Linear.apply(w, prefix + ".k_proj", x, d, d), t, heads, hw);
        SDVariable v = MultiHeadAttention.splitHeads(Linear.apply(w, prefix + ".v_proj", x, d, d), t, heads, hw);
        SDVariable attended = MultiHeadAttention.attend(w.graph(), q, k, v, 1.0 / Math.sqrt(hw), causal, prefix + ".probs", t, t);
        return Linear.apply(w, prefix + ".out_proj", MultiHeadAttention.mergeHeads(attended, t, heads, hw), d, d);
    }


    /**
     * Runs the tower on token ids [batch, 77] and returns the named outputs.
     */
    public Map<String, INDArray> encode(long[][] ids, String... outputs) {
        return encode(ids, noEmbeddings(ids.length), outputs);
    }

    /** Rows without textual-inversion vectors. */
    private static List<List<PromptChunks.Placed>> noEmbeddings(int rows) {
        return java.util.Collections.nCopies(rows, List.of());
    }

    /** As {@link #encode(long[][], String...)}, with each row's textual-inversion vectors in place of their placeholders. */
    public Map<String, INDArray> encode(long[][] ids, List<List<PromptChunks.Placed>> embeddings, String... outputs) {
        for (long[] row : ids) {
            if (row.length != ClipTokenizer.CONTEXT_LENGTH) {
                throw new IllegalArgumentException("text encoder input must have " + ClipTokenizer.CONTEXT_LENGTH + " ids per row, got " + row.length);
            }
            for (long id : row) {
                if (id < 0 || id >= config.vocabSize()) {
                    throw new CheckpointException("token id " + id + " is outside the text encoder's vocabulary of " + config.vocabSize());
                }
            }
        }
        long t = ClipTokenizer.CONTEXT_LENGTH;
        INDArray keep = Nd4j.ones(DataType.FLOAT, ids.length, t, 1);
        INDArray vectors = Nd4j.zeros(DataType.FLOAT, ids.length, t, config.width());
        for (int row = 0; row < ids.length; row++) {
            for (PromptChunks.Placed p : embeddings.get(row)) {
                INDArray v = p.embedding().vectors(tower);
                for (int i = 0; i < v.size(0); i++) {
                    keep.putScalar(new long[]{row, p.first() + i, 0}, 0f);
                    vectors.get(NDArrayIndex.point(row), NDArrayIndex.point(p.first() + i), NDArrayIndex.all()).assign(v.getRow(i));
                }
            }
        }
        return GraphRunner.output(sd, Map.of(INPUT_IDS, Nd4j.createFromArray(ids), TOKEN_KEEP, keep, TOKEN_VECTORS, vectors), outputs);
    }

    /**
     * The pooled output of a tower with a projection (Hugging Face's {@code CLIPTextModelWithProjection.text_embeds}):
     * each row's final-normed state at its end-of-text token — the largest id, as Hugging Face finds it — times
     * {@code text_projection.weight}ᵀ. @param normed {@link #LAST_HIDDEN_STATE} of {@code ids}; returns [rows, projectionDim]
     */
    public INDArray pooled(long[][] ids, INDArray normed) {
        INDArray rows = Nd4j.create(DataType.FLOAT, ids.length, config.width());
        for (int row = 0; row < ids.length; row++) {
            int eos = 0;
            for (int i = 1; i < ids[row].length; i++) {
                eos = ids[row][i] > ids[row][eos] ? i : eos;
            }
            rows.putRow(row, normed.get(NDArrayIndex.point(row), NDArrayIndex.point(eos), NDArrayIndex.all()));
        }
        INDArray projection = weights.get("text_projection.weight", config.projectionDim(), config.width()).castTo(DataType.FLOAT);
        return rows.mmul(projection.transpose());
    }

    /** The conditioning for CLIP skip {@code n} (1 = last layer), [batch, 77, width]. */
    public INDArray conditioning(long[][] ids, int clipSkip) {
        return conditioning(ids, noEmbeddings(ids.length), clipSkip);
    }

    /** As {@link #conditioning(long[][], int)}, with textual-inversion vectors per row. */
    public INDArray conditioning(long[][] ids, List<List<PromptChunks.Placed>> embeddings, int clipSkip) {
        String name = clipSkipOutput(clipSkip);
        return encode(ids, embeddings, name).get(name);
    }

    /** The output a generation with CLIP skip {@code n} conditions on (1 = the final-normed last layer). */
    public String clipSkipOutput(int clipSkip) {
        if (clipSkip < 1 || clipSkip > config.layers()) {
            throw new IllegalArgumentException("CLIP skip must be between 1 and " + config.layers() + ", got " + clipSkip);
        }
        return clipSkip == 1 ? LAST_HIDDEN_STATE : clipSkip(clipSkip);
    }
}
