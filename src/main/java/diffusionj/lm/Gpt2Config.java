package diffusionj.lm;

import com.google.gson.JsonObject;
import diffusionj.io.CheckpointException;

/** The sizes of a GPT-2-family model, from a Hugging Face {@code config.json} ({@code GPT2LMHeadModel}). */
public record Gpt2Config(long vocabSize, long width, int layers, int heads, long positions, double layerNormEps,
                         String activation) {

    public static Gpt2Config fromJson(JsonObject c) {
        String type = c.has("model_type") ? c.get("model_type").getAsString() : "gpt2";
        if (!type.equals("gpt2")) {
            throw new CheckpointException("unknown language-model architecture '" + type + "': DiffusionJ runs GPT-2-family models");
        }
        try {
            return new Gpt2Config(c.get("vocab_size").getAsLong(), c.get("n_embd").getAsLong(), c.get("n_layer").getAsInt(),
                    c.get("n_head").getAsInt(), c.get("n_positions").getAsLong(),
                    c.has("layer_norm_epsilon") ? c.get("layer_norm_epsilon").getAsDouble() : 1e-5,
                    c.has("activation_function") ? c.get("activation_function").getAsString() : "gelu_new");
        } catch (RuntimeException e) {
            throw new CheckpointException("GPT-2 config is incomplete (needs vocab_size, n_embd, n_layer, n_head, n_positions): " + c, e);
        }
    }

    public long headWidth() {
        return width / heads;
    }
}
