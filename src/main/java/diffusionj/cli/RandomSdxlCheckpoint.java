package diffusionj.cli;

import diffusionj.io.LdmKeys;
import diffusionj.io.WeightSource.StoredAs;
import diffusionj.text.ClipTextConfig;
import diffusionj.text.ClipTextEncoder;
import diffusionj.unet.UNet2DConditionModel;
import diffusionj.unet.UNetConfig;
import diffusionj.vae.AutoencoderKL;
import diffusionj.vae.VaeConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A single file in the layout of {@code sd_xl_base_1.0.safetensors} at its full size (UNet 2.57 G, CLIP ViT-L 123 M
 * and OpenCLIP ViT-bigG 695 M text towers, autoencoder 84 M parameters) with random weights, for
 * {@code bench --e2e --family sdxl}. As {@link RandomSd15Checkpoint}: the tensors are the ones DiffusionJ's models ask
 * for while their graphs are built, named by the inverse of {@link LdmKeys}' mapping (checked by mapping them back).
 */
final class RandomSdxlCheckpoint {
    static final UNetConfig UNET = new UNetConfig(4, 4, new int[]{320, 640, 1280}, 2,
            List.of("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"), List.of("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"),
            2048, new int[]{5, 10, 20}, true, 32, 1e-5, true, 0, new int[]{1, 2, 10}, new UNetConfig.TextTime(256, 2816));
    static final ClipTextConfig CLIP_L = new ClipTextConfig(49408, 768, 3072, 12, 12, 77, "quick_gelu", 1e-5);
    static final ClipTextConfig CLIP_G = new ClipTextConfig(49408, 1280, 5120, 32, 20, 77, "gelu", 1e-5, 1280);
    static final VaeConfig VAE = new VaeConfig(3, 3, 4, new int[]{128, 256, 512, 512}, 2, 32, 0.13025);

    private static final String UNET_PREFIX = "model.diffusion_model.";
    private static final String CLIP_L_PREFIX = "conditioner.embedders.0.transformer.";
    private static final String CLIP_G_PREFIX = "conditioner.embedders.1.model.";

    private RandomSdxlCheckpoint() {
    }

    static void write(Path file, Path tokenizer, boolean half, long seed) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        Map<String, String> modelKey = new LinkedHashMap<>();
        Map<String, long[]> unet = RandomSd15Checkpoint.recorded(w -> new UNet2DConditionModel(UNET, w).crossAttentionLayers(8, 8, 77));
        RandomSd15Checkpoint.addComponent(shapes, modelKey, unetLayout(unet.keySet()), unet);
        RandomSd15Checkpoint.addComponent(shapes, modelKey, LdmKeys.vae(RandomSd15Checkpoint.vaeKeys()),
                RandomSd15Checkpoint.recorded(w -> new AutoencoderKL(VAE, w).build(8, 8)));
        Map<String, long[]> clipL = RandomSd15Checkpoint.recorded(w -> new ClipTextEncoder(CLIP_L, w));
        RandomSd15Checkpoint.addComponent(shapes, modelKey,
                LdmKeys.clipTextEncoder(clipL.keySet().stream().map(k -> CLIP_L_PREFIX + k).toList(), CLIP_L_PREFIX), clipL);
        Map<String, long[]> clipG = RandomSd15Checkpoint.recorded(w -> new ClipTextEncoder(CLIP_G, w, 1)
                .pooled(new long[][]{new long[77]}, org.nd4j.linalg.factory.Nd4j.zeros(1, 77, CLIP_G.width())));
        RandomSd15Checkpoint.addComponent(shapes, modelKey, LdmKeys.openClipTextEncoder(openClipKeys(), CLIP_G_PREFIX, CLIP_G.layers()), clipG);
        RandomSd15Checkpoint.writeRandom(file, tokenizer, half, seed, shapes, modelKey);
    }

    /** Each recorded UNet key under its original-layout name; the forward mapping must give the same keys back. */
    private static Map<String, StoredAs> unetLayout(java.util.Set<String> recorded) {
        List<String> fileKeys = new ArrayList<>();
        for (String key : recorded) {
            String ldm = LdmKeys.ldmUnetName(key, UNET.layersPerBlock(), i -> UNET.hasCrossAttention(UNET.upBlockTypes().get(i)) ? 2 : 1);
            if (ldm == null) {
                throw new IllegalStateException("no original-layout name for UNet key " + key);
            }
            fileKeys.add(UNET_PREFIX + ldm);
        }
        return LdmKeys.unet(fileKeys);
    }

    /** OpenCLIP's names of a text tower as SDXL files store it behind {@link #CLIP_G_PREFIX}. */
    private static List<String> openClipKeys() {
        List<String> keys = new ArrayList<>(List.of("token_embedding.weight", "positional_embedding", "ln_final.weight", "ln_final.bias",
                "text_projection"));
        for (int i = 0; i < CLIP_G.layers(); i++) {
            for (String part : List.of("ln_1", "ln_2", "attn.out_proj", "mlp.c_fc", "mlp.c_proj")) {
                keys.add("transformer.resblocks." + i + "." + part + ".weight");
                keys.add("transformer.resblocks." + i + "." + part + ".bias");
            }
            keys.add("transformer.resblocks." + i + ".attn.in_proj_weight");
            keys.add("transformer.resblocks." + i + ".attn.in_proj_bias");
        }
        return keys.stream().map(k -> CLIP_G_PREFIX + k).toList();
    }
}
