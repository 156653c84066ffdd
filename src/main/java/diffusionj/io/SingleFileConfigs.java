package diffusionj.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * diffusers-style configs for a single-file checkpoint. Sizes come from tensor shapes. What no shape shows
 * (attention head counts, group-norm groups, epsilons, the scaling factor, the prediction type) comes from a
 * companion diffusers folder — the one whose tokenizer the checkpoint uses — when its sizes agree with the
 * file's, else from the published config of the detected family (SD 1.x: 8 heads; SD 2.x: 64-wide heads,
 * linear projections, v-prediction; SDXL: 64-wide heads, 256-wide size embeddings, latents scaled by 0.13025;
 * all: 32 groups).
 */
final class SingleFileConfigs {
    private final ModelFamily family;
    private final Path companion;

    /** @param companion the diffusers folder holding the tokenizer, or null */
    SingleFileConfigs(ModelFamily family, Path companion) {
        this.family = family;
        this.companion = companion;
    }

    /** CLIP ViT-L (SD 1.x, SDXL's first tower) uses quick-GELU; OpenCLIP's towers exact GELU. */
    JsonObject textEncoder(Component component, WeightSource w) {
        long[] tokens = w.shape("text_model.embeddings.token_embedding.weight");
        boolean openClip = family == ModelFamily.SD2 || component == Component.TEXT_ENCODER_2;
        JsonObject c = new JsonObject();
        c.addProperty("vocab_size", tokens[0]);
        c.addProperty("hidden_size", tokens[1]);
        c.addProperty("intermediate_size", w.shape("text_model.encoder.layers.0.mlp.fc1.weight")[0]);
        c.addProperty("num_hidden_layers", count(w, "text_model.encoder.layers.%d.mlp.fc1.weight"));
        c.addProperty("max_position_embeddings", w.shape("text_model.embeddings.position_embedding.weight")[0]);
        c.addProperty("hidden_act", openClip ? "gelu" : "quick_gelu");
        c.addProperty("layer_norm_eps", 1e-5);
        c.addProperty("num_attention_heads", tokens[1] / 64);
        if (w.contains("text_projection.weight")) {
            c.addProperty("projection_dim", w.shape("text_projection.weight")[0]);
        }
        return withHidden(c, component, new String[]{"hidden_size"}, new String[]{"num_attention_heads", "layer_norm_eps"});
    }

    JsonObject unet(WeightSource w) {
        JsonArray channels = new JsonArray();
        JsonArray down = new JsonArray();
        for (int b = 0; w.contains("down_blocks." + b + ".resnets.0.conv1.weight"); b++) {
            channels.add(w.shape("down_blocks." + b + ".resnets.0.conv1.weight")[0]);
            down.add(w.contains("down_blocks." + b + ".attentions.0.norm.weight") ? "CrossAttnDownBlock2D" : "DownBlock2D");
        }
        JsonArray up = new JsonArray();
        for (int b = 0; b < channels.size(); b++) {
            up.add(w.contains("up_blocks." + b + ".attentions.0.norm.weight") ? "CrossAttnUpBlock2D" : "UpBlock2D");
        }
        String attention = firstAttention(w);
        JsonObject c = new JsonObject();
        c.addProperty("in_channels", w.shape("conv_in.weight")[1]);
        c.addProperty("out_channels", w.shape("conv_out.weight")[0]);
        c.add("block_out_channels", channels);
        c.addProperty("layers_per_block", count(w, "down_blocks.0.resnets.%d.conv1.weight"));
        c.add("down_block_types", down);
        c.add("up_block_types", up);
        c.addProperty("cross_attention_dim", w.shape(attention + ".transformer_blocks.0.attn2.to_k.weight")[1]);
        c.addProperty("use_linear_projection", w.shape(attention + ".proj_in.weight").length == 2);
        c.add("transformer_layers_per_block", transformerDepths(w, channels.size()));
        c.addProperty("norm_num_groups", 32);
        c.addProperty("norm_eps", 1e-5);
        c.addProperty("flip_sin_to_cos", true);
        c.addProperty("freq_shift", 0);
        c.addProperty("upcast_attention", family == ModelFamily.SD2);
        if (w.contains("add_embedding.linear_1.weight")) {
            // SDXL's size and pooled-text conditioning; its time features are 256 wide in every published config.
            c.addProperty("addition_embed_type", "text_time");
            c.addProperty("addition_time_embed_dim", 256);
            c.addProperty("projection_class_embeddings_input_dim", w.shape("add_embedding.linear_1.weight")[1]);
        }
        if (family == ModelFamily.SDXL) {
            c.addProperty("sample_size", 128);
        }
        if (family == ModelFamily.SD1) {
            c.addProperty("attention_head_dim", 8);
        } else {
            JsonArray heads = new JsonArray();
            channels.forEach(ch -> heads.add(ch.getAsLong() / 64));
            c.add("attention_head_dim", heads);
        }
        return withHidden(c, Component.UNET, new String[]{"block_out_channels", "layers_per_block", "cross_attention_dim"},
                new String[]{"attention_head_dim", "num_attention_heads", "norm_num_groups", "norm_eps", "upcast_attention",
                        "flip_sin_to_cos", "freq_shift", "sample_size", "addition_time_embed_dim"});
    }

    JsonObject vae(WeightSource w) {
        JsonArray channels = new JsonArray();
        for (int b = 0; w.contains("encoder.down_blocks." + b + ".resnets.0.conv1.weight"); b++) {
            channels.add(w.shape("encoder.down_blocks." + b + ".resnets.0.conv1.weight")[0]);
        }
        JsonObject c = new JsonObject();
        c.addProperty("in_channels", w.shape("encoder.conv_in.weight")[1]);
        c.addProperty("out_channels", w.shape("decoder.conv_out.weight")[0]);
        c.addProperty("latent_channels", w.shape("post_quant_conv.weight")[0]);
        c.add("block_out_channels", channels);
        c.addProperty("layers_per_block", count(w, "encoder.down_blocks.0.resnets.%d.conv1.weight"));
        c.addProperty("norm_num_groups", 32);
        c.addProperty("scaling_factor", family == ModelFamily.SDXL ? 0.13025 : 0.18215);
        return withHidden(c, Component.VAE, new String[]{"block_out_channels", "latent_channels"},
                new String[]{"norm_num_groups", "scaling_factor", "sample_size"});
    }

    /** The training schedule every SD 1.x/2.x/XL release shares; SD 2.x (768-v) predicts v. */
    JsonObject scheduler() {
        Path file = companion == null ? null : companion.resolve(Component.SCHEDULER.folder).resolve(Component.SCHEDULER.configFile);
        if (file != null && Files.isRegularFile(file)) {
            return JsonFiles.readObject(file);
        }
        return switch (family) {
            case SD1 -> StableDiffusionSchedule.config("epsilon");
            case SD2 -> StableDiffusionSchedule.config("v_prediction");
            case SDXL -> StableDiffusionSchedule.sdxl();
        };
    }

    /** Copies the hidden keys from the companion config when its size keys equal the inferred ones. */
    private JsonObject withHidden(JsonObject inferred, Component component, String[] sizeKeys, String[] hiddenKeys) {
        Path file = companion == null ? null : companion.resolve(component.folder).resolve(component.configFile);
        if (file == null || !Files.isRegularFile(file)) {
            return inferred;
        }
        JsonObject other = JsonFiles.readObject(file);
        for (String key : sizeKeys) {
            if (!inferred.get(key).equals(other.get(key))) {
                return inferred;
            }
        }
        for (String key : hiddenKeys) {
            JsonElement v = other.get(key);
            if (v != null && !v.isJsonNull()) {
                inferred.add(key, v);
            } else {
                inferred.remove(key);
            }
        }
        return inferred;
    }

    /** Transformer blocks per level, from each level's first attention (1 where a level has none, as diffusers writes). */
    private static JsonArray transformerDepths(WeightSource w, int levels) {
        JsonArray depths = new JsonArray();
        for (int b = 0; b < levels; b++) {
            String attention = "down_blocks." + b + ".attentions.0";
            depths.add(w.contains(attention + ".norm.weight") ? count(w, attention + ".transformer_blocks.%d.norm1.weight") : 1);
        }
        return depths;
    }

    private static String firstAttention(WeightSource w) {
        for (int b = 0; w.contains("down_blocks." + b + ".resnets.0.conv1.weight"); b++) {
            if (w.contains("down_blocks." + b + ".attentions.0.norm.weight")) {
                return "down_blocks." + b + ".attentions.0";
            }
        }
        return "mid_block.attentions.0";
    }

    private static int count(WeightSource w, String pattern) {
        int n = 0;
        while (w.contains(String.format(pattern, n))) {
            n++;
        }
        return n;
    }
}
