package diffusionj.text;

import com.google.gson.JsonObject;
import diffusionj.io.CheckpointException;

/**
 * Sizes of a CLIP text tower, read from a Hugging Face {@code CLIPTextConfig} ({@code text_encoder/config.json}).
 * {@code projectionDim} is the width of the pooled output's projection ({@code text_projection}); only towers that
 * have one use it (SDXL's second).
 */
public record ClipTextConfig(long vocabSize, long width, long intermediate, int layers, int heads,
                             long maxPositions, String hiddenAct, double layerNormEps, long projectionDim) {

    public ClipTextConfig(long vocabSize, long width, long intermediate, int layers, int heads, long maxPositions, String hiddenAct,
                          double layerNormEps) {
        this(vocabSize, width, intermediate, layers, heads, maxPositions, hiddenAct, layerNormEps, width);
    }

    public static ClipTextConfig fromJson(JsonObject c) {
        try {
            return new ClipTextConfig(
                    c.get("vocab_size").getAsLong(),
                    c.get("hidden_size").getAsLong(),
                    c.get("intermediate_size").getAsLong(),
                    c.get("num_hidden_layers").getAsInt(),
                    c.get("num_attention_heads").getAsInt(),
                    c.get("max_position_embeddings").getAsLong(),
                    c.has("hidden_act") ? c.get("hidden_act").getAsString() : "quick_gelu",
                    c.has("layer_norm_eps") ? c.get("layer_norm_eps").getAsDouble() : 1e-5,
                    c.has("projection_dim") ? c.get("projection_dim").getAsLong() : c.get("hidden_size").getAsLong());
        } catch (RuntimeException e) {
            throw new CheckpointException("text encoder config is incomplete (needs vocab_size, hidden_size, intermediate_size,"
                    + " num_hidden_layers, num_attention_heads, max_position_embeddings): " + c, e);
        }
    }

    public long headWidth() {
        return width / heads;
    }
}
