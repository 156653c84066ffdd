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
    /** SDXL's first tower (CLIP ViT-L), Hugging Face names behind the prefix as in SD 1.x. */
    static final String SDXL_TEXT_PREFIX = SDXL_PREFIX + "0.transformer.";
    /** SDXL's second tower (OpenCLIP ViT-bigG), OpenCLIP names as in SD 2.x. */
    static final String SDXL_TEXT_2_PREFIX = SDXL_PREFIX + "1.model.";

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

    /** SD 1.x and SDXL's first tower keep Hugging Face's CLIPTextModel names behind a prefix. */
    public static Map<String, StoredAs> clipTextEncoder(Iterable<String> fileKeys, String prefix) {
        Map<String, StoredAs> out = new LinkedHashMap<>();
        for (String key : fileKeys) {
            if (key.startsWith(prefix + "text_model.")) {
                out.put(key.substring(prefix.length()), StoredAs.whole(key));
            }
        }
        return out;
    }

    /**
     * An OpenCLIP text tower (SD 2.x; SDXL's second) under Hugging Face CLIPTextModel names, its first
     * {@code usedBlocks} blocks. SD 2 conditions on the output of the second-to-last block, so there the last block
     * is left out (blocks − 1) and the tower becomes an ordinary CLIPTextModel whose last hidden state is that
     * conditioning; SDXL uses every block. {@code text_projection} is stored [width, projection], the transpose of
     * Hugging Face's {@code text_projection.weight}.
     */
    public static Map<String, StoredAs> openClipTextEncoder(java.util.Collection<String> fileKeys, String prefix, int usedBlocks) {
        Map<String, StoredAs> out = new LinkedHashMap<>();
        out.put("text_model.embeddings.token_embedding.weight", StoredAs.whole(prefix + "token_embedding.weight"));
        out.put("text_model.embeddings.position_embedding.weight", StoredAs.whole(prefix + "positional_embedding"));
        out.put("text_model.final_layer_norm.weight", StoredAs.whole(prefix + "ln_final.weight"));
        out.put("text_model.final_layer_norm.bias", StoredAs.whole(prefix + "ln_final.bias"));
        if (fileKeys.contains(prefix + "text_projection")) {
            out.put("text_projection.weight", StoredAs.transposed(prefix + "text_projection"));
        }
        for (String key : fileKeys) {
            if (!key.startsWith(prefix)) {
                continue;
            }
            Matcher m = OPEN_CLIP_BLOCK.matcher(key.substring(prefix.length()));
            if (!m.matches() || Integer.parseInt(m.group(1)) >= usedBlocks) {
                continue;
            }
            String layer = "text_model.encoder.layers." + m.group(1) + ".";
            String rest = m.group(2);
            if (rest.startsWith("attn.in_proj_")) {
                String kind = rest.endsWith("weight") ? "weight" : "bias";
                String[] qkv = {"q_proj", "k_proj", "v_proj"};
                for (int i = 0; i < 3; i++) {
                    out.put(layer + "self_attn." + qkv[i] + "." + kind, StoredAs.rows(key, i, 3));
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

    static final String UNET_PREFIX = "model.diffusion_model.";
    static final String VAE_PREFIX = "first_stage_model.";

    private static final Pattern NUMBERED = Pattern.compile("(input_blocks|output_blocks|middle_block)\\.(\\d+)(?:\\.(\\d+))?\\.(.+)");
    private static final Map<String, String> RESNET_PARTS = Map.of(
            "in_layers.0", "norm1", "in_layers.2", "conv1", "emb_layers.1", "time_emb_proj",
            "out_layers.0", "norm2", "out_layers.3", "conv2", "skip_connection", "conv_shortcut");
    private static final Map<String, String> UNET_TOP = Map.of(
            "time_embed.0", "time_embedding.linear_1", "time_embed.2", "time_embedding.linear_2",
            "input_blocks.0.0", "conv_in", "out.0", "conv_norm_out", "out.2", "conv_out",
            "label_emb.0.0", "add_embedding.linear_1", "label_emb.0.2", "add_embedding.linear_2");

    /**
     * The LDM UNet numbers its blocks flat: {@code input_blocks.N.M} (N ≥ 1: block (N−1) / (layers+1),
     * position (N−1) % (layers+1), the last position being the down-sampler {@code op}), {@code middle_block.0..2},
     * {@code output_blocks.N.M} (block N / (layers+1)); sub-module 0 is the resnet, 1 the transformer, and a
     * trailing {@code conv} the up-sampler.
     */
    public static Map<String, StoredAs> unet(Iterable<String> fileKeys) {
        int layers = unetLayersPerBlock(fileKeys);
        Map<String, StoredAs> out = new LinkedHashMap<>();
        for (String key : fileKeys) {
            if (!key.startsWith(UNET_PREFIX)) {
                continue;
            }
            String name = key.substring(UNET_PREFIX.length());
            String mapped = unetName(name, layers);
            if (mapped != null) {
                out.put(mapped, StoredAs.whole(key));
            }
        }
        return out;
    }

    private static String unetName(String name, int layers) {
        for (Map.Entry<String, String> top : UNET_TOP.entrySet()) {
            if (name.startsWith(top.getKey() + ".")) {
                return top.getValue() + name.substring(top.getKey().length());
            }
        }
        Matcher m = NUMBERED.matcher(name);
        if (!m.matches()) {
            return null;
        }
        int n = Integer.parseInt(m.group(2));
        String rest = m.group(4);
        if (m.group(1).equals("middle_block")) {
            // middle_block.0 and .2 are resnets, .1 the transformer; they carry no sub-module index.
            rest = m.group(3) == null ? rest : m.group(3) + "." + rest;
            return n == 1 ? "mid_block.attentions.0." + rest : "mid_block.resnets." + (n / 2) + "." + resnetPart(rest);
        }
        if (m.group(3) == null) {
            return null;
        }
        int sub = Integer.parseInt(m.group(3));
        switch (m.group(1)) {
            case "input_blocks" -> {
                int block = (n - 1) / (layers + 1);
                int position = (n - 1) % (layers + 1);
                if (rest.startsWith("op.")) {
                    return "down_blocks." + block + ".downsamplers.0.conv." + rest.substring(3);
                }
                return sub == 0 ? "down_blocks." + block + ".resnets." + position + "." + resnetPart(rest)
                        : "down_blocks." + block + ".attentions." + position + "." + rest;
            }
            default -> {
                int block = n / (layers + 1);
                int position = n % (layers + 1);
                if (sub > 0 && rest.startsWith("conv.")) {
                    return "up_blocks." + block + ".upsamplers.0." + rest;
                }
                return sub == 0 ? "up_blocks." + block + ".resnets." + position + "." + resnetPart(rest)
                        : "up_blocks." + block + ".attentions." + position + "." + rest;
            }
        }
    }

    private static String resnetPart(String rest) {
        int dot = rest.lastIndexOf('.');
        String part = RESNET_PARTS.get(rest.substring(0, dot));
        return (part == null ? rest.substring(0, dot) : part) + rest.substring(dot);
    }

    private static final Pattern DIFFUSERS_BLOCK = Pattern.compile(
            "(down_blocks|up_blocks)\\.(\\d+)\\.(resnets|attentions|downsamplers|upsamplers)\\.(\\d+)\\.(.+)");
    private static final Pattern DIFFUSERS_MID = Pattern.compile("mid_block\\.(resnets|attentions)\\.(\\d+)\\.(.+)");

    /**
     * The inverse of {@link #unet}'s naming for one diffusers UNet name (a weight key or a module path): its name
     * in the original layout without {@code model.diffusion_model.}, or null for a name outside the numbered
     * blocks' scheme. {@code upsamplerSlot} is the sub-module index of block {@code i}'s up-sampler: 2 where the
     * block has attentions (resnet, transformer, up-sampler), else 1.
     */
    public static String ldmUnetName(String name, int layers, java.util.function.IntUnaryOperator upsamplerSlot) {
        for (Map.Entry<String, String> top : UNET_TOP.entrySet()) {
            if (name.equals(top.getValue()) || name.startsWith(top.getValue() + ".")) {
                return top.getKey() + name.substring(top.getValue().length());
            }
        }
        Matcher mid = DIFFUSERS_MID.matcher(name);
        if (mid.matches()) {
            int j = Integer.parseInt(mid.group(2));
            return mid.group(1).equals("attentions") ? "middle_block.1." + mid.group(3)
                    : "middle_block." + (2 * j) + "." + ldmResnetPart(mid.group(3));
        }
        Matcher m = DIFFUSERS_BLOCK.matcher(name);
        if (!m.matches()) {
            return null;
        }
        int block = Integer.parseInt(m.group(2));
        int position = Integer.parseInt(m.group(4));
        String rest = m.group(5);
        boolean down = m.group(1).equals("down_blocks");
        return switch (m.group(3)) {
            case "resnets" -> (down ? "input_blocks." + (1 + block * (layers + 1) + position) : "output_blocks." + (block * (layers + 1) + position))
                    + ".0." + ldmResnetPart(rest);
            case "attentions" -> (down ? "input_blocks." + (1 + block * (layers + 1) + position) : "output_blocks." + (block * (layers + 1) + position))
                    + ".1." + rest;
            case "downsamplers" -> rest.startsWith("conv") ? "input_blocks." + ((block + 1) * (layers + 1)) + ".0.op" + rest.substring(4) : null;
            default -> "output_blocks." + (block * (layers + 1) + layers) + "." + upsamplerSlot.applyAsInt(block) + "." + rest;
        };
    }

    /** A resnet's diffusers part ({@code conv1}, {@code conv1.weight}) under its original name ({@code in_layers.2}). */
    private static String ldmResnetPart(String rest) {
        for (Map.Entry<String, String> part : RESNET_PARTS.entrySet()) {
            if (rest.equals(part.getValue()) || rest.startsWith(part.getValue() + ".")) {
                return part.getKey() + rest.substring(part.getValue().length());
            }
        }
        return rest;
    }

    /**
     * The OpenCLIP name (after {@code cond_stage_model.model.}) of a Hugging Face CLIP text layer's module, e.g.
     * {@code text_model.encoder.layers.3.mlp.fc1} → {@code transformer.resblocks.3.mlp.c_fc}; the fused q/k/v
     * projection's parts as the web UI names them ({@code transformer.resblocks.3.attn.q_proj}); null otherwise.
     */
    public static String openClipModule(String module) {
        Matcher m = Pattern.compile("text_model\\.encoder\\.layers\\.(\\d+)\\.(.+)").matcher(module);
        if (!m.matches()) {
            return null;
        }
        String block = "transformer.resblocks." + m.group(1) + ".";
        if (m.group(2).matches("self_attn\\.[qkv]_proj")) {
            return block + "attn." + m.group(2).substring("self_attn.".length());
        }
        for (Map.Entry<String, String> part : OPEN_CLIP_BLOCK_PARTS.entrySet()) {
            if (part.getValue().equals(m.group(2))) {
                return block + part.getKey();
            }
        }
        return null;
    }

    /** Down-samplers ({@code op}) follow every block but the last, so blocks = ops + 1. */
    static int unetLayersPerBlock(Iterable<String> fileKeys) {
        int maxInput = 0;
        java.util.Set<Integer> ops = new java.util.HashSet<>();
        for (String key : fileKeys) {
            if (!key.startsWith(UNET_PREFIX)) {
                continue;
            }
            Matcher m = NUMBERED.matcher(key.substring(UNET_PREFIX.length()));
            if (m.matches() && m.group(1).equals("input_blocks")) {
                int n = Integer.parseInt(m.group(2));
                maxInput = Math.max(maxInput, n);
                if (m.group(4).startsWith("op.")) {
                    ops.add(n);
                }
            }
        }
        int blocks = ops.size() + 1;
        return (maxInput + 1) / blocks - 1;
    }

    private static final Pattern VAE_BLOCK = Pattern.compile("(encoder|decoder)\\.(down|up)\\.(\\d+)\\.(block\\.(\\d+)|downsample|upsample)\\.(.+)");

    /**
     * The LDM autoencoder: {@code down.i.block.j} / {@code up.i.block.j} (the decoder's {@code up} counted from
     * the highest resolution, diffusers' {@code up_blocks} from the lowest), {@code mid.block_1/2},
     * {@code mid.attn_1} with 1×1-conv projections that diffusers holds as linear layers.
     */
    public static Map<String, StoredAs> vae(Iterable<String> fileKeys) {
        int upBlocks = 0;
        for (String key : fileKeys) {
            Matcher m = VAE_BLOCK.matcher(key.startsWith(VAE_PREFIX) ? key.substring(VAE_PREFIX.length()) : "");
            if (m.matches() && m.group(2).equals("up")) {
                upBlocks = Math.max(upBlocks, Integer.parseInt(m.group(3)) + 1);
            }
        }
        Map<String, StoredAs> out = new LinkedHashMap<>();
        for (String key : fileKeys) {
            if (key.startsWith(VAE_PREFIX)) {
                vaeName(key, key.substring(VAE_PREFIX.length()), upBlocks, out);
            }
        }
        return out;
    }

    private static void vaeName(String key, String name, int upBlocks, Map<String, StoredAs> out) {
        Matcher m = VAE_BLOCK.matcher(name);
        if (m.matches()) {
            boolean up = m.group(2).equals("up");
            int block = up ? upBlocks - 1 - Integer.parseInt(m.group(3)) : Integer.parseInt(m.group(3));
            String prefix = m.group(1) + "." + (up ? "up_blocks." : "down_blocks.") + block + ".";
            String target = m.group(5) != null
                    ? prefix + "resnets." + m.group(5) + "." + m.group(6).replace("nin_shortcut", "conv_shortcut")
                    : prefix + (up ? "upsamplers.0." : "downsamplers.0.") + m.group(6);
            out.put(target, StoredAs.whole(key));
            return;
        }
        String renamed = name.replace(".norm_out.", ".conv_norm_out.")
                .replace(".mid.block_1.", ".mid_block.resnets.0.").replace(".mid.block_2.", ".mid_block.resnets.1.")
                .replace(".nin_shortcut.", ".conv_shortcut.");
        if (renamed.contains(".mid.attn_1.")) {
            String part = renamed.substring(renamed.indexOf(".mid.attn_1.") + ".mid.attn_1.".length());
            String coder = renamed.substring(0, renamed.indexOf(".mid.attn_1."));
            String head = part.substring(0, part.indexOf('.'));
            String mappedHead = switch (head) {
                case "norm" -> "group_norm";
                case "q" -> "to_q";
                case "k" -> "to_k";
                case "v" -> "to_v";
                case "proj_out" -> "to_out.0";
                default -> head;
            };
            String target = coder + ".mid_block.attentions.0." + mappedHead + part.substring(head.length());
            out.put(target, head.equals("norm") ? StoredAs.whole(key) : StoredAs.convAsLinear(key));
            return;
        }
        out.put(renamed, StoredAs.whole(key));
    }

    /** Number of OpenCLIP residual blocks behind {@code prefix}. */
    static int openClipBlocks(Iterable<String> fileKeys, String prefix) {
        int blocks = 0;
        for (String key : fileKeys) {
            if (key.startsWith(prefix)) {
                Matcher m = OPEN_CLIP_BLOCK.matcher(key.substring(prefix.length()));
                if (m.matches()) {
                    blocks = Math.max(blocks, Integer.parseInt(m.group(1)) + 1);
                }
            }
        }
        return blocks;
    }
}
