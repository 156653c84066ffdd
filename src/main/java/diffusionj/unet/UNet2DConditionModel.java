package diffusionj.unet;

import diffusionj.io.Checkpoint;
import diffusionj.io.Component;
import diffusionj.nn.Activations;
import diffusionj.nn.ChannelsLast;
import diffusionj.nn.Conv2d;
import diffusionj.nn.GraphRunner;
import diffusionj.nn.GraphWeights;
import diffusionj.nn.GroupNorm;
import diffusionj.nn.NearestUpsample;
import diffusionj.nn.WeightStore;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * diffusers' UNet2DConditionModel for SD 1.x/2.x/XL as SameDiff graphs: noisy latent [batch, 4, h, w],
 * timestep [1 or batch], text embeddings [batch, keys, contextDim] and, for SDXL, the added inputs
 * {@link #TEXT_EMBEDS} and {@link #TIME_IDS} → predicted noise (or v) of the latent's shape. A graph is built per
 * (h, w, keys) and cached; all graphs share one copy of the weights.
 */
public final class UNet2DConditionModel {
    public static final String SAMPLE = "sample";
    public static final String TIMESTEP = "timestep";
    public static final String ENCODER_HIDDEN_STATES = "encoder_hidden_states";
    /** SDXL's added inputs ({@link TextTimeEmbedding}): the pooled text vector [batch, pooledDim] and the sizes [batch, 6]. */
    public static final String TEXT_EMBEDS = "text_embeds";
    public static final String TIME_IDS = "time_ids";
    public static final String OUT = "out";

    private record Shape(long height, long width, long keys) {
    }

    private final UNetConfig config;
    private final WeightStore weights;
    private final Map<Shape, Graph> graphs = new HashMap<>();

    /** One built graph and its cross-attention layers, in execution order. */
    private record Graph(SameDiff sd, List<AttentionLayer> crossAttentionLayers) {
    }

    /** A cross-attention layer: the name of its probabilities output and its spatial size. */
    public record AttentionLayer(String probe, long height, long width) {
    }

    public UNet2DConditionModel(UNetConfig config, WeightStore weights) {
        this.config = config;
        this.weights = weights;
    }

    public static UNet2DConditionModel load(Checkpoint checkpoint) {
        return new UNet2DConditionModel(UNetConfig.fromJson(checkpoint.config(Component.UNET)),
                WeightStore.inPlace(checkpoint.weights(Component.UNET)));
    }

    /** Its phase is over: weights read in place stop counting in memory until next used ({@link WeightStore#releasePages}). */
    public void releaseWeightPages() {
        weights.releasePages();
    }

    public UNetConfig config() {
        return config;
    }

    /** The weights every graph of this UNet reads (where LoRAs are merged in: {@link WeightStore#override}). */
    public WeightStore weights() {
        return weights;
    }

    /** Predicts for one step. @return [batch, outChannels, h, w] */
    public INDArray predict(INDArray sample, INDArray timestep, INDArray encoderHiddenStates) {
        return predict(sample, timestep, encoderHiddenStates, Map.of());
    }

    /** @param added {@link #TEXT_EMBEDS} and {@link #TIME_IDS} for a UNet with added conditioning, else empty */
    public INDArray predict(INDArray sample, INDArray timestep, INDArray encoderHiddenStates, Map<String, INDArray> added) {
        return run(sample, timestep, encoderHiddenStates, added, List.of()).get(OUT);
    }

    /** As {@link #run(INDArray, INDArray, INDArray, Map, List)} without added inputs (SD 1.x/2.x). */
    public Map<String, INDArray> run(INDArray sample, INDArray timestep, INDArray encoderHiddenStates, List<String> probes) {
        return run(sample, timestep, encoderHiddenStates, Map.of(), probes);
    }

    /**
     * Runs the UNet and also returns the named cross-attention probabilities
     * ({@code <layer>.attn2.probs}, [batch, heads, pixels, keys]).
     */
    public Map<String, INDArray> run(INDArray sample, INDArray timestep, INDArray encoderHiddenStates, Map<String, INDArray> added,
                                     List<String> probes) {
        Graph g = graph(sample.size(2), sample.size(3), encoderHiddenStates.size(1));
        List<String> outputs = new ArrayList<>(probes);
        outputs.add(OUT);
        Map<String, INDArray> in = new HashMap<>(Map.of(SAMPLE, sample.castTo(DataType.FLOAT), TIMESTEP, timestep.castTo(DataType.FLOAT).reshape(-1),
                ENCODER_HIDDEN_STATES, encoderHiddenStates.castTo(DataType.FLOAT)));
        in.putAll(addedInputs(added, sample.size(0)));
        return GraphRunner.output(g.sd(), in, outputs.toArray(String[]::new));
    }

    /** The added inputs this UNet takes, checked: each batch row needs its pooled vector and its six sizes. */
    private Map<String, INDArray> addedInputs(Map<String, INDArray> added, long batch) {
        UNetConfig.TextTime a = config.added();
        if (a == null) {
            if (!added.isEmpty()) {
                throw new IllegalArgumentException("this UNet takes no added inputs, got " + added.keySet());
            }
            return Map.of();
        }
        Map<String, Long> widths = new java.util.LinkedHashMap<>();
        widths.put(TEXT_EMBEDS, (long) a.pooledDim());
        widths.put(TIME_IDS, (long) UNetConfig.TextTime.SIZES);
        Map<String, INDArray> in = new HashMap<>();
        List<String> wrong = new ArrayList<>();
        widths.forEach((name, width) -> {
            INDArray v = added.get(name);
            if (v == null || v.rank() != 2 || v.size(0) != batch || v.size(1) != width) {
                wrong.add(name + " [" + batch + ", " + width + "], got " + (v == null ? "none" : java.util.Arrays.toString(v.shape())));
            } else {
                in.put(name, v.castTo(DataType.FLOAT));
            }
        });
        if (!wrong.isEmpty()) {
            throw new IllegalArgumentException("this UNet (SDXL) needs " + String.join("; ", wrong));
        }
        return in;
    }

    /** The cross-attention layers for a latent of this size, in execution order. */
    public List<AttentionLayer> crossAttentionLayers(long height, long width, long keys) {
        return graph(height, width, keys).crossAttentionLayers();
    }

    private synchronized Graph graph(long height, long width, long keys) {
        return graphs.computeIfAbsent(new Shape(height, width, keys), s -> build(s.height(), s.width(), s.keys()));
    }

    private Graph build(long height, long width, long keys) {
        SameDiff sd = GraphRunner.newGraph();
        List<AttentionLayer> probes = new ArrayList<>();
        SDVariable x = sd.placeHolder(SAMPLE, DataType.FLOAT, -1, config.inChannels(), height, width);
        SDVariable t = sd.placeHolder(TIMESTEP, DataType.FLOAT, -1);
        SDVariable context = sd.placeHolder(ENCODER_HIDDEN_STATES, DataType.FLOAT, -1, keys, config.crossAttentionDim());
        GraphWeights w = new GraphWeights(sd, weights);
        SDVariable temb = TimestepEmbedding.apply(w, config, t);
        if (config.added() != null) {
            SDVariable textEmbeds = sd.placeHolder(TEXT_EMBEDS, DataType.FLOAT, -1, config.added().pooledDim());
            SDVariable timeIds = sd.placeHolder(TIME_IDS, DataType.FLOAT, -1, UNetConfig.TextTime.SIZES);
            temb = temb.add(TextTimeEmbedding.apply(w, config, textEmbeds, timeIds));
        }
        sd.identity(OUT, blocks(w, x, temb, context, height, width, keys, probes));
        return new Graph(sd, List.copyOf(probes));
    }

    /**
     * Adds the UNet to {@code w}'s graph behind a text encoder, for training (no added inputs).
     * @param x [batch, inChannels, height, width]; @param t [batch]; @param context [batch, keys, contextDim]
     * @param probes receives the cross-attention layers in execution order
     * @return the prediction, [batch, outChannels, height, width]
     */
    public SDVariable apply(GraphWeights w, SDVariable x, SDVariable t, SDVariable context, long height, long width, long keys,
                            List<AttentionLayer> probes) {
        return blocks(w, x, TimestepEmbedding.apply(w, config, t), context, height, width, keys, probes);
    }

    /**
     * The UNet's body: conv_in, the down, mid and up blocks, conv_out, with the time embedding {@code temb} [batch, 4·C0].
     * {@code x} and the result are NCHW, as diffusers' are; in between, activations are channels last ({@link ChannelsLast}).
     */
    private SDVariable blocks(GraphWeights w, SDVariable x, SDVariable temb, SDVariable context, long height, long width, long keys,
                              List<AttentionLayer> probes) {
        SameDiff sd = w.graph();
        Blocks b = new Blocks(w, temb, context.reshape(-1, config.crossAttentionDim()), keys, probes);
        int[] ch = config.blockOutChannels();
        Feature h = new Feature(Conv2d.same3x3(w, "conv_in", ChannelsLast.fromNchw(x), config.inChannels(), ch[0], height, width), ch[0], height, width);
        Deque<Feature> skips = new ArrayDeque<>();
        skips.push(h);
        for (int i = 0; i < ch.length; i++) {
            h = b.down(i, h, skips);
        }
        h = b.mid(h);
        for (int i = 0; i < ch.length; i++) {
            h = b.up(i, h, skips);
        }
        SDVariable out = GroupNorm.apply(w, "conv_norm_out", h.x(), h.channels(), height, width, config.normGroups(), config.normEps());
        return ChannelsLast.toNchw(Conv2d.same3x3(w, "conv_out", Activations.silu(sd, out), h.channels(), config.outChannels(), height, width));
    }

    /** An activation with its channel count and spatial size, known when the graph is built. */
    private record Feature(SDVariable x, long channels, long height, long width) {
        Feature with(SDVariable y, long newChannels) {
            return new Feature(y, newChannels, height, width);
        }
    }

    /** The down, mid and up blocks, sharing the time embedding and the text context of one graph. */
    private final class Blocks {
        private final GraphWeights w;
        private final SDVariable temb;
        private final SDVariable context;
        private final long keys;
        private final List<AttentionLayer> probes;

        Blocks(GraphWeights w, SDVariable temb, SDVariable context, long keys, List<AttentionLayer> probes) {
            this.w = w;
            this.temb = temb;
            this.context = context;
            this.keys = keys;
            this.probes = probes;
        }

        Feature down(int i, Feature h, Deque<Feature> skips) {
            String block = "down_blocks." + i;
            long out = config.blockOutChannels()[i];
            boolean attention = config.hasCrossAttention(config.downBlockTypes().get(i));
            for (int j = 0; j < config.layersPerBlock(); j++) {
                h = resnet(block + ".resnets." + j, h, out);
                if (attention) {
                    h = transformer(block + ".attentions." + j, h, config.heads()[i], config.transformerDepths()[i]);
                }
                skips.push(h);
            }
            if (i < config.blockOutChannels().length - 1) {
                SDVariable y = Conv2d.apply(w, block + ".downsamplers.0.conv", h.x(), out, out, 3, 2, 1, h.height(), h.width());
                h = new Feature(y, out, (h.height() + 1) / 2, (h.width() + 1) / 2);
                skips.push(h);
            }
            return h;
        }

        Feature mid(Feature h) {
            int last = config.heads().length - 1;
            h = resnet("mid_block.resnets.0", h, h.channels());
            h = transformer("mid_block.attentions.0", h, config.heads()[last], config.midTransformerDepth());
            return resnet("mid_block.resnets.1", h, h.channels());
        }

        Feature up(int i, Feature h, Deque<Feature> skips) {
            String block = "up_blocks." + i;
            int[] ch = config.blockOutChannels();
            long out = ch[ch.length - 1 - i];
            long heads = config.heads()[ch.length - 1 - i];
            boolean attention = config.hasCrossAttention(config.upBlockTypes().get(i));
            for (int j = 0; j <= config.layersPerBlock(); j++) {
                Feature skip = skips.pop();
                SDVariable joined = w.graph().concat(3, h.x(), skip.x());
                h = resnet(block + ".resnets." + j, h.with(joined, h.channels() + skip.channels()), out);
                if (attention) {
                    h = transformer(block + ".attentions." + j, h, heads, config.upTransformerDepth(i));
                }
            }
            if (i < ch.length - 1) {
                Feature next = skips.peek();
                SDVariable y = NearestUpsample.apply(w.graph(), h.x(), out, h.height(), h.width(), next.height(), next.width());
                h = new Feature(Conv2d.same3x3(w, block + ".upsamplers.0.conv", y, out, out, next.height(), next.width()), out, next.height(), next.width());
            }
            return h;
        }

        private Feature resnet(String prefix, Feature h, long out) {
            SDVariable y = ResnetBlock2D.apply(w, prefix, h.x(), temb, config.timeEmbeddingDim(), h.channels(), out,
                    h.height(), h.width(), config.normGroups(), config.normEps());
            return h.with(y, out);
        }

        private Feature transformer(String prefix, Feature h, long heads, int depth) {
            for (int i = 0; i < depth; i++) {
                probes.add(new AttentionLayer(CrossAttention.probsName(prefix + ".transformer_blocks." + i + ".attn2"), h.height(), h.width()));
            }
            SDVariable y = Transformer2D.apply(w, config, prefix, h.x(), h.channels(), h.height(), h.width(), context, keys, heads, depth);
            return h.with(y, h.channels());
        }
    }
}
