package diffusionj.lm;

import diffusionj.io.CheckpointException;
import diffusionj.io.JsonFiles;
import diffusionj.io.Safetensors;
import diffusionj.io.WeightSource;
import diffusionj.nn.Activations;
import diffusionj.nn.GraphRunner;
import diffusionj.nn.GraphWeights;
import diffusionj.nn.LayerNorm;
import diffusionj.nn.Linear;
import diffusionj.nn.MultiHeadAttention;
import diffusionj.nn.WeightStore;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * GPT-2 (Radford et al., 2019) as SameDiff graphs: token + position embeddings, pre-norm blocks with causal
 * self-attention (fused {@code c_attn}) and a tanh-GELU MLP, the final {@code ln_f}, and the output head tied
 * to {@code wte} unless the checkpoint has {@code lm_head.weight}. Loads Hugging Face checkpoints with or
 * without the {@code transformer.} prefix. Input {@code input_ids} [batch, tokens]; outputs
 * {@code hidden_states.0} … {@code hidden_states.L} (embeddings, then after each block) and {@code logits}
 * [batch, tokens, vocab]. One graph per prompt length, all sharing the weights; generation continues with
 * one step graph that takes the cached keys and values of every layer (any cached length) and a new token.
 */
public final class Gpt2Model {
    public static final String INPUT_IDS = "input_ids";
    public static final String LOGITS = "logits";
    private static final String POSITION = "position";

    private final Gpt2Config config;
    private final WeightStore weights;
    private final boolean tiedHead;
    private final Map<Long, SameDiff> graphs = new HashMap<>();
    private SameDiff stepGraph;

    public Gpt2Model(Gpt2Config config, WeightStore weights, boolean tiedHead) {
        this.config = config;
        this.weights = weights;
        this.tiedHead = tiedHead;
    }

    /** A model folder with {@code config.json} and {@code model.safetensors}. */
    public static Gpt2Model load(Path folder) {
        Path file = folder.resolve("model.safetensors");
        if (!Files.isRegularFile(folder.resolve("config.json")) || !Files.isRegularFile(file)) {
            throw new CheckpointException(folder + " is not a GPT-2 model folder: it needs config.json and model.safetensors");
        }
        Gpt2Config config = Gpt2Config.fromJson(JsonFiles.readObject(folder.resolve("config.json")));
        Safetensors st = Safetensors.open(file);
        Map<String, WeightSource.StoredAs> keys = new LinkedHashMap<>();
        for (String key : st.names()) {
            keys.put(key.startsWith("transformer.") ? key.substring("transformer.".length()) : key, WeightSource.StoredAs.whole(key));
        }
        WeightSource source = new WeightSource(st, "language model", keys);
        return new Gpt2Model(config, new WeightStore(source), !source.contains("lm_head.weight"));
    }

    public Gpt2Config config() {
        return config;
    }

    public static String hiddenState(int i) {
        return "hidden_states." + i;
    }

    /** Runs the model on token ids [batch][tokens] (at most {@code n_positions} tokens). */
    public Map<String, INDArray> forward(long[][] ids, String... outputs) {
        long tokens = ids[0].length;
        if (tokens < 1 || tokens > config.positions()) {
            throw new IllegalArgumentException("the language model takes 1 to " + config.positions() + " tokens, got " + tokens);
        }
        return GraphRunner.output(graph(tokens), Map.of(INPUT_IDS, Nd4j.createFromArray(ids)), outputs);
    }

    private synchronized SameDiff graph(long tokens) {
        return graphs.computeIfAbsent(tokens, this::build);
    }

    private SameDiff build(long t) {
        SameDiff sd = GraphRunner.newGraph();
        GraphWeights w = new GraphWeights(sd, weights);
        long d = config.width();
        SDVariable ids = sd.placeHolder(INPUT_IDS, DataType.INT64, -1, t);
        SDVariable wte = w.get("wte.weight", config.vocabSize(), d);
        SDVariable positions = w.get("wpe.weight", config.positions(), d).get(org.nd4j.autodiff.samediff.SDIndex.interval(0L, t));
        SDVariable h = sd.gather(wte, ids, 0).add(positions).reshape(-1, d);
        SDVariable causal = sd.constant(MultiHeadAttention.causalMask(t));
        sd.reshape(hiddenState(0), h, -1, t, d);
        for (int i = 0; i < config.layers(); i++) {
            h = block(w, "h." + i, h, causal, t);
            sd.reshape(hiddenState(i + 1), h, -1, t, d);
        }
        SDVariable normed = LayerNorm.apply(w, "ln_f", h, d, config.layerNormEps());
        SDVariable head = tiedHead ? wte : w.get("lm_head.weight", config.vocabSize(), d);
        sd.reshape(LOGITS, sd.mmul(normed, head, false, true, false), -1, t, config.vocabSize());
        return sd;
    }

    /** x + attn(ln_1(x)), then x + mlp(ln_2(x)). */
    private SDVariable block(GraphWeights w, String prefix, SDVariable x, SDVariable causal, long t) {
        SameDiff sd = w.graph();
        long d = config.width();
        SDVariable qkv = Linear.applyInputMajor(w, prefix + ".attn.c_attn", LayerNorm.apply(w, prefix + ".ln_1", x, d, config.layerNormEps()), d, 3 * d);
        SDVariable[] parts = sd.split(qkv, 3, 1);
        long heads = config.heads();
        long hw = config.headWidth();
        SDVariable q = MultiHeadAttention.splitHeads(parts[0], t, heads, hw);
        SDVariable k = sd.identity(presentKey(prefix), MultiHeadAttention.splitHeads(parts[1], t, heads, hw));
        SDVariable v = sd.identity(presentValue(prefix), MultiHeadAttention.splitHeads(parts[2], t, heads, hw));
        SDVariable attended = MultiHeadAttention.attend(sd, q, k, v, 1 / Math.sqrt(hw), causal, prefix + ".attn.probs", t, t);
        return mlp(w, prefix, x.add(Linear.applyInputMajor(w, prefix + ".attn.c_proj", MultiHeadAttention.mergeHeads(attended, t, heads, hw), d, d)));
    }

    /** x + mlp(ln_2(x)). */
    private SDVariable mlp(GraphWeights w, String prefix, SDVariable x) {
        SameDiff sd = w.graph();
        long d = config.width();
        SDVariable m = Linear.applyInputMajor(w, prefix + ".mlp.c_fc", LayerNorm.apply(w, prefix + ".ln_2", x, d, config.layerNormEps()), d, 4 * d);
        m = Activations.byName(sd, config.activation(), m);
        return x.add(Linear.applyInputMajor(w, prefix + ".mlp.c_proj", m, 4 * d, d));
    }

    static String presentKey(String layer) {
        return layer + ".present.k";
    }

    static String presentValue(String layer) {
        return layer + ".present.v";
    }

    static String pastKey(String layer) {
        return layer + ".past.k";
    }

    static String pastValue(String layer) {
        return layer + ".past.v";
    }

    /** The key/value cache of every layer after a prompt: [batch, heads, tokens, headWidth] each. */
    Map<String, INDArray> prefill(long[][] ids) {
        java.util.List<String> names = new java.util.ArrayList<>(java.util.List.of(LOGITS));
        for (int i = 0; i < config.layers(); i++) {
            names.add(presentKey("h." + i));
            names.add(presentValue("h." + i));
        }
        return forward(ids, names.toArray(String[]::new));
    }

    /**
     * One new token per row at {@code position}, attending to the cached keys and values: the prefix is
     * never recomputed. Returns {@code logits} [batch, 1, vocab] and the grown cache.
     */
    Map<String, INDArray> step(long[] tokens, long position, Map<String, INDArray> cache) {
        if (position >= config.positions()) {
            throw new IllegalArgumentException("the language model's context is " + config.positions() + " tokens");
        }
        Map<String, INDArray> in = new HashMap<>();
        long[][] ids = new long[tokens.length][];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = new long[]{tokens[i]};
        }
        in.put(INPUT_IDS, Nd4j.createFromArray(ids));
        in.put(POSITION, Nd4j.createFromArray(new long[]{position}));
        java.util.List<String> names = new java.util.ArrayList<>(java.util.List.of(LOGITS));
        for (int i = 0; i < config.layers(); i++) {
            in.put(pastKey("h." + i), cache.get(presentKey("h." + i)));
            in.put(pastValue("h." + i), cache.get(presentValue("h." + i)));
            names.add(presentKey("h." + i));
            names.add(presentValue("h." + i));
        }
        return GraphRunner.output(stepGraph(), in, names.toArray(String[]::new));
    }

    private synchronized SameDiff stepGraph() {
        if (stepGraph == null) {
            stepGraph = buildStep();
        }
        return stepGraph;
    }

    private SameDiff buildStep() {
        SameDiff sd = GraphRunner.newGraph();
        GraphWeights w = new GraphWeights(sd, weights);
        long d = config.width();
        long heads = config.heads();
        long hw = config.headWidth();
        SDVariable ids = sd.placeHolder(INPUT_IDS, DataType.INT64, -1, 1);
        SDVariable position = sd.placeHolder(POSITION, DataType.INT64, 1);
        SDVariable wte = w.get("wte.weight", config.vocabSize(), d);
        SDVariable x = sd.gather(wte, ids, 0).reshape(-1, d).add(sd.gather(w.get("wpe.weight", config.positions(), d), position, 0));
        for (int i = 0; i < config.layers(); i++) {
            String prefix = "h." + i;
            SDVariable qkv = Linear.applyInputMajor(w, prefix + ".attn.c_attn", LayerNorm.apply(w, prefix + ".ln_1", x, d, config.layerNormEps()), d, 3 * d);
            SDVariable[] parts = sd.split(qkv, 3, 1);
            SDVariable q = MultiHeadAttention.splitHeads(parts[0], 1, heads, hw);
            SDVariable k = sd.concat(presentKey(prefix), 2, sd.placeHolder(pastKey(prefix), DataType.FLOAT, -1, heads, -1, hw),
                    MultiHeadAttention.splitHeads(parts[1], 1, heads, hw));
            SDVariable v = sd.concat(presentValue(prefix), 2, sd.placeHolder(pastValue(prefix), DataType.FLOAT, -1, heads, -1, hw),
                    MultiHeadAttention.splitHeads(parts[2], 1, heads, hw));
            // One query sees every cached position: no mask is needed.
            SDVariable attended = MultiHeadAttention.attend(sd, q, k, v, 1 / Math.sqrt(hw), null, prefix + ".attn.probs", 1, 1);
            x = mlp(w, prefix, x.add(Linear.applyInputMajor(w, prefix + ".attn.c_proj", MultiHeadAttention.mergeHeads(attended, 1, heads, hw), d, d)));
        }
        SDVariable normed = LayerNorm.apply(w, "ln_f", x, d, config.layerNormEps());
        SDVariable head = tiedHead ? wte : w.get("lm_head.weight", config.vocabSize(), d);
        sd.reshape(LOGITS, sd.mmul(normed, head, false, true, false), -1, 1, config.vocabSize());
        return sd;
    }

}
