package diffusionj.unet;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import diffusionj.io.CheckpointException;

import java.util.List;

/**
 * The sizes of a diffusers {@code UNet2DConditionModel} ({@code unet/config.json}). {@code heads} holds the
 * attention head count per down block: diffusers stores it under {@code attention_head_dim} for SD 1.x/2.x
 * configs (a historical misnomer it keeps for compatibility) unless {@code num_attention_heads} is set.
 * {@code transformerDepths} is the number of transformer blocks per down level (up levels mirror it, the mid block
 * uses the deepest); {@code added} is SDXL's extra conditioning, or null.
 */
public record UNetConfig(int inChannels, int outChannels, int[] blockOutChannels, int layersPerBlock,
                         List<String> downBlockTypes, List<String> upBlockTypes, int crossAttentionDim, int[] heads,
                         boolean useLinearProjection, int normGroups, double normEps, boolean flipSinToCos,
                         double freqShift, int[] transformerDepths, TextTime added) {

    /**
     * SDXL's {@code addition_embed_type} "text_time": the pooled text vector [pooledDim] and six sizes, each in
     * sinusoidal features {@code timeDim} wide, go through {@code add_embedding} into the timestep embedding.
     */
    public record TextTime(int timeDim, int inputDim) {
        public static final int SIZES = 6;

        public int pooledDim() {
            return inputDim - SIZES * timeDim;
        }
    }

    public static UNetConfig fromJson(JsonObject c) {
        requireDefault(c, "act_fn", "silu");
        requireDefault(c, "time_embedding_type", "positional");
        requireDefault(c, "resnet_time_scale_shift", "default");
        requireDefault(c, "mid_block_type", "UNetMidBlock2DCrossAttn");
        for (String absent : new String[]{"class_embed_type", "encoder_hid_dim", "time_cond_proj_dim", "reverse_transformer_layers_per_block"}) {
            if (c.has(absent) && !c.get(absent).isJsonNull()) {
                throw new CheckpointException("unet config: " + absent + " = " + c.get(absent) + " is not supported (SD 1.x/2.x/XL UNets have none)");
            }
        }
        TextTime added = null;
        if (c.has("addition_embed_type") && !c.get("addition_embed_type").isJsonNull()) {
            requireDefault(c, "addition_embed_type", "text_time");
            added = new TextTime(c.get("addition_time_embed_dim").getAsInt(), c.get("projection_class_embeddings_input_dim").getAsInt());
        }
        int[] channels = ints(c.getAsJsonArray("block_out_channels"));
        JsonElement headsJson = c.has("num_attention_heads") && !c.get("num_attention_heads").isJsonNull()
                ? c.get("num_attention_heads") : c.get("attention_head_dim");
        int[] heads = perBlock(headsJson, channels.length);
        return new UNetConfig(
                c.get("in_channels").getAsInt(), c.get("out_channels").getAsInt(), channels,
                c.get("layers_per_block").getAsInt(),
                strings(c.getAsJsonArray("down_block_types")), strings(c.getAsJsonArray("up_block_types")),
                c.get("cross_attention_dim").getAsInt(), heads,
                c.has("use_linear_projection") && c.get("use_linear_projection").getAsBoolean(),
                c.get("norm_num_groups").getAsInt(), c.get("norm_eps").getAsDouble(),
                !c.has("flip_sin_to_cos") || c.get("flip_sin_to_cos").getAsBoolean(),
                c.has("freq_shift") ? c.get("freq_shift").getAsDouble() : 0,
                perBlock(c.has("transformer_layers_per_block") ? c.get("transformer_layers_per_block") : new com.google.gson.JsonPrimitive(1),
                        channels.length),
                added);
    }

    private static void requireDefault(JsonObject c, String key, String expected) {
        if (c.has(key) && !c.get(key).isJsonNull() && !c.get(key).getAsString().equals(expected)) {
            throw new CheckpointException("unet config: " + key + " = " + c.get(key) + " is not supported (expected \"" + expected + "\")");
        }
    }

    private static int[] perBlock(JsonElement e, int blocks) {
        if (e.isJsonArray()) {
            return ints(e.getAsJsonArray());
        }
        int[] out = new int[blocks];
        java.util.Arrays.fill(out, e.getAsInt());
        return out;
    }

    private static int[] ints(JsonArray a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsInt();
        }
        return out;
    }

    private static List<String> strings(JsonArray a) {
        return a.asList().stream().map(JsonElement::getAsString).toList();
    }

    public int timeEmbeddingDim() {
        return blockOutChannels[0] * 4;
    }

    /** Transformer blocks in up level {@code i} (counted from the lowest resolution). */
    public int upTransformerDepth(int i) {
        return transformerDepths[transformerDepths.length - 1 - i];
    }

    public int midTransformerDepth() {
        return transformerDepths[transformerDepths.length - 1];
    }

    public boolean hasCrossAttention(String blockType) {
        return blockType.startsWith("CrossAttn");
    }
}
