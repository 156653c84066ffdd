package diffusionj.io;

import diffusionj.io.WeightSource.StoredAs;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The original CompVis/Stability single-file layout mapped to diffusers names: one table per component,
 * so the models themselves only ever see diffusers keys.
 */
public final class LdmKeys {
    static final String SD1_TEXT_PREFIX = "cond_stage_model.transformer.";
    static final String SD2_TEXT_PREFIX = "cond_stage_model.model.";
    static final String SDXL_PREFIX = "conditioner.embedders.";

    private static final Pattern OPEN_CLIP_BLOCK = Pattern.compile("transformer\\.resblocks\\.(\\d+)\\.(.+)");

    /** OpenCLIP block names → Hugging Face CLIP layer names ({@code in_proj} is split separately). */
    private static final Map<String, String> OPEN_CLIP_BLOCK_PARTS = Map.of(
            "ln_1", "layer_norm1",
            "ln_2", "layer_norm2",
            "attn.out_proj", "self_attn.out_proj",
            "mlp.c_fc", "mlp.fc1",
            "mlp.c_proj", "mlp.fc2");

    private LdmKeys() {
    }

    /** SD 1.x keeps Hugging Face's CLIPTextModel names behind a prefix. */
    static Map<String, StoredAs> sd1TextEncoder(Iterable<String> fileKeys) {
        Map<String, StoredAs> out = new LinkedHashMap<>();
        for (String key : fileKeys) {
            if (key.startsWith(SD1_TEXT_PREFIX + "text_model.")) {
                out.put(key.substring(SD1_TEXT_PREFIX.length()), StoredAs.whole(key));
            }
        }
        return out;
    }

    /**
     * SD 2.x stores OpenCLIP's text tower. SD 2 conditions on the output of the second-to-last block, so
     * the last block is left out ({@code usedBlocks} = blocks − 1) and the tower becomes an ordinary
     * CLIPTextModel whose last hidden state is that conditioning.
     */
    static Map<String, StoredAs> sd2TextEncoder(Iterable<String> fileKeys, int usedBlocks) {
        Map<String, StoredAs> out = new LinkedHashMap<>();
        out.put("text_model.embeddings.token_embedding.weight", StoredAs.whole(SD2_TEXT_PREFIX + "token_embedding.weight"));
        out.put("text_model.embeddings.position_embedding.weight", StoredAs.whole(SD2_TEXT_PREFIX + "positional_embedding"));
        out.put("text_model.final_layer_norm.weight", StoredAs.whole(SD2_TEXT_PREFIX + "ln_final.weight"));
        out.put("text_model.final_layer_norm.bias", StoredAs.whole(SD2_TEXT_PREFIX + "ln_final.bias"));
        for (String key : fileKeys) {
            if (!key.startsWith(SD2_TEXT_PREFIX)) {
                continue;
            }
            Matcher m = OPEN_CLIP_BLOCK.matcher(key.substring(SD2_TEXT_PREFIX.length()));
            if (!m.matches() || Integer.parseInt(m.group(1)) >= usedBlocks) {
                continue;
            }
            String layer = "text_model.encoder.layers." + m.group(1) + ".";
            String rest = m.group(2);
            if (rest.startsWith("attn.in_proj_")) {
                String kind = rest.endsWith("weight") ? "weight" : "bias";
                String[] qkv = {"q_proj", "k_proj", "v_proj"};
                for (int i = 0; i < 3; i++) {
                    out.put(layer + "self_attn." + qkv[i] + "." + kind, new StoredAs(key, i, 3));
                }
                continue;
            }
            int dot = rest.lastIndexOf('.');
            String mapped = OPEN_CLIP_BLOCK_PARTS.get(rest.substring(0, dot));
            if (mapped != null) {
                out.put(layer + mapped + rest.substring(dot), StoredAs.whole(key));
            }
        }
        return out;
    }

    /** Number of OpenCLIP residual blocks in an SD 2.x file. */
    static int openClipBlocks(Iterable<String> fileKeys) {
        int blocks = 0;
        for (String key : fileKeys) {
            if (key.startsWith(SD2_TEXT_PREFIX)) {
                Matcher m = OPEN_CLIP_BLOCK.matcher(key.substring(SD2_TEXT_PREFIX.length()));
                if (m.matches()) {
                    blocks = Math.max(blocks, Integer.parseInt(m.group(1)) + 1);
                }
            }
        }
        return blocks;
    }
}
