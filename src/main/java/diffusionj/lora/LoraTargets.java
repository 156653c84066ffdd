package diffusionj.lora;

import diffusionj.io.Component;
import diffusionj.io.LdmKeys;
import diffusionj.io.ModelFamily;
import diffusionj.io.WeightSource;

import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Where a LoRA module's name lands in a loaded model: the component and the diffusers key of the weight it
 * changes. Every layer is known under each name a LoRA file may give it, with {@code .} and {@code _} alike:
 * <ul>
 *   <li>kohya-ss names, the diffusers module path behind {@code lora_unet_} / {@code lora_te_}
 *       ({@code lora_unet_down_blocks_0_attentions_0_proj_in});</li>
 *   <li>the original layout's names, as the web UI's {@code networks.py} resolves them
 *       ({@code lora_unet_input_blocks_1_1_proj_in}; {@link LdmKeys#ldmUnetName});</li>
 *   <li>for SD 2.x's OpenCLIP text tower also its own names ({@code lora_te_model_transformer_resblocks_0_mlp_c_fc},
 *       the q/k/v parts of the fused projection as {@code …_attn_q_proj}: the web UI's
 *       {@code convert_diffusers_name_to_compvis} for SD 2; {@link LdmKeys#openClipModule});</li>
 *   <li>dotted diffusers/PEFT paths behind {@code unet.}, {@code text_encoder.} or nothing.</li>
 *   <li>for SDXL's two towers kohya's {@code lora_te1_} / {@code lora_te2_} and diffusers' {@code text_encoder.} /
 *       {@code text_encoder_2.}; the UNet under either naming as above.</li>
 * </ul>
 */
public final class LoraTargets {
    /** A weight a module changes: its component, diffusers key and shape. */
    public record Target(Component component, String key, long[] shape) {
    }

    private final Map<String, Target> byName = new HashMap<>();

    /** @param towers each text tower's weights ({@link Component#TEXT_ENCODER}, and SDXL's {@link Component#TEXT_ENCODER_2}) */
    public LoraTargets(WeightSource unet, int unetLayersPerBlock, Map<Component, WeightSource> towers, ModelFamily family) {
        forEachModule(unet, Component.UNET, (module, t) -> {
            put(module, t);
            String original = LdmKeys.ldmUnetName(module, unetLayersPerBlock,
                    block -> unet.contains("up_blocks." + block + ".attentions.0.proj_in.weight") ? 2 : 1);
            if (original != null) {
                put(original, t);
            }
        });
        towers.forEach((tower, text) -> forEachModule(text, tower, (module, t) -> {
            put(module, t);
            String openClip = family == ModelFamily.SD2 ? LdmKeys.openClipModule(module) : null;
            if (openClip != null) {
                put("model." + openClip, t);
            }
        }));
    }

    /** Each weight ({@code <module>.weight}) of a component, with its module path. */
    private static void forEachModule(WeightSource source, Component component, BiConsumer<String, Target> action) {
        for (String key : source.keys()) {
            if (key.endsWith(".weight")) {
                action.accept(key.substring(0, key.length() - ".weight".length()), new Target(component, key, source.shape(key)));
            }
        }
    }

    private void put(String module, Target target) {
        byName.put(target.component().name() + ":" + flat(module), target);
    }

    private static String flat(String name) {
        return name.replace('.', '_');
    }

    /** The weight the module {@code name} (as a LoRA file writes it) changes, or null if this model has none. */
    public Target find(String name) {
        String flat = flat(name);
        for (String[] prefix : new String[][]{{"lora_unet_", "UNET"}, {"lora_te_", "TEXT_ENCODER"}, {"lora_te1_", "TEXT_ENCODER"},
                {"lora_te2_", "TEXT_ENCODER_2"}, {"unet_", "UNET"}, {"text_encoder_2_", "TEXT_ENCODER_2"},
                {"text_encoder_", "TEXT_ENCODER"}, {"base_model_model_", "UNET"}}) {
            if (flat.startsWith(prefix[0])) {
                return byName.get(prefix[1] + ":" + flat.substring(prefix[0].length()));
            }
        }
        return byName.get((flat.startsWith("text_model_") ? "TEXT_ENCODER" : "UNET") + ":" + flat);
    }
}
