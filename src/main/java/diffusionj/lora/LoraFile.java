package diffusionj.lora;

import diffusionj.io.CheckpointException;
import diffusionj.io.FileHashes;
import diffusionj.io.Safetensors;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A LoRA file (safetensors only) read into its modules, whichever of the common layouts it uses:
 * kohya-ss ({@code <module>.lora_down.weight}, {@code .lora_up.weight}, {@code .alpha}), PEFT ({@code .lora_A.weight},
 * {@code .lora_B.weight}) and diffusers' older ones ({@code .lora.down.weight}, {@code .lora_linear_layer.down.weight},
 * attention processors' {@code processor.to_q_lora.down.weight}). Module names are kept as written; {@link LoraTargets}
 * finds their layers. Other kinds of network (LoHa, LoKr, OFT, …) are refused by name.
 */
public record LoraFile(Path path, Map<String, LoraModule> modules, Map<String, String> metadata) {
    /** Key endings: down factor, up factor. */
    private static final List<String[]> FACTORS = List.of(
            new String[]{".lora_down.weight", ".lora_up.weight"},
            new String[]{".lora_A.weight", ".lora_B.weight"},
            new String[]{".lora_linear_layer.down.weight", ".lora_linear_layer.up.weight"},
            new String[]{".lora.down.weight", ".lora.up.weight"},
            new String[]{"_lora.down.weight", "_lora.up.weight"});

    /** Key parts that mark the network kinds other than LoRA/LoCon, as the web UI's Lora extension reads them. */
    private static final Map<String, String> OTHER_KINDS = Map.of(
            ".hada_w1", "LoHa", ".lokr_w1", "LoKr", ".oft_", "OFT", ".lora_mid.", "LoCon with a Tucker-decomposed middle (lora_mid)",
            ".dora_scale", "DoRA", ".on_input", "IA³", ".w_norm", "norm", ".a1.weight", "GLoRA");

    public static LoraFile read(Path file) {
        try (Safetensors st = Safetensors.open(file)) {
            Map<String, ModuleParts> parts = new LinkedHashMap<>();
            for (String key : st.names()) {
                refuseOtherKinds(file, key);
                if (key.endsWith(".alpha")) {
                    parts.computeIfAbsent(key.substring(0, key.length() - ".alpha".length()), k -> new ModuleParts()).alpha = st.load(key).getDouble(0);
                    continue;
                }
                String[] found = factorOf(key);
                if (found == null) {
                    throw new CheckpointException(file + ": tensor '" + key + "' is not part of a LoRA (expected keys ending in"
                            + " .lora_down.weight / .lora_up.weight / .alpha, or PEFT's .lora_A.weight / .lora_B.weight)");
                }
                ModuleParts p = parts.computeIfAbsent(moduleName(found[0]), k -> new ModuleParts());
                if (found[1].equals("down")) {
                    p.down = st.load(key);
                } else {
                    p.up = st.load(key);
                }
            }
            Map<String, LoraModule> modules = new LinkedHashMap<>();
            parts.forEach((module, p) -> {
                if (p.down == null || p.up == null) {
                    throw new CheckpointException(file + ": module '" + module + "' has " + (p.down == null ? "no down" : "no up")
                            + " factor" + (p.down == null && p.up == null ? " (only an alpha)" : ""));
                }
                modules.put(module, new LoraModule(module, p.down, p.up, Double.isNaN(p.alpha) ? p.down.size(0) : p.alpha));
            });
            if (modules.isEmpty()) {
                throw new CheckpointException(file + " holds no LoRA modules");
            }
            return new LoraFile(file, modules, st.metadata());
        }
    }

    private static final class ModuleParts {
        org.nd4j.linalg.api.ndarray.INDArray down;
        org.nd4j.linalg.api.ndarray.INDArray up;
        double alpha = Double.NaN;
    }

    private static void refuseOtherKinds(Path file, String key) {
        String kind = key.endsWith(".diff") || key.endsWith(".diff_b") ? "full weight difference" : null;
        for (Map.Entry<String, String> other : OTHER_KINDS.entrySet()) {
            kind = key.contains(other.getKey()) ? other.getValue() : kind;
        }
        if (kind != null) {
            throw new CheckpointException(file + " is a " + kind + " network (key '" + key + "'), not a LoRA;"
                    + " DiffusionJ applies LoRA and LoCon files (lora_down/lora_up factors)");
        }
    }

    /** {module key without its ending, "down" or "up"}, or null. */
    private static String[] factorOf(String key) {
        for (String[] f : FACTORS) {
            if (key.endsWith(f[0])) {
                return new String[]{key.substring(0, key.length() - f[0].length()), "down"};
            }
            if (key.endsWith(f[1])) {
                return new String[]{key.substring(0, key.length() - f[1].length()), "up"};
            }
        }
        return null;
    }

    /** diffusers' attention processors name a layer's LoRA after it: {@code attn1.processor.to_out_lora} → {@code attn1.to_out.0}. */
    private static String moduleName(String key) {
        int processor = key.lastIndexOf(".processor.");
        if (processor < 0) {
            return key;
        }
        String layer = key.substring(processor + ".processor.".length());
        return key.substring(0, processor) + "." + (layer.equals("to_out") ? "to_out.0" : layer);
    }

    /** The base model the file says it was trained for ({@code ss_base_model_version}, e.g. "sd_v1"), or "". */
    public String baseModel() {
        return metadata.getOrDefault("ss_base_model_version", "");
    }

    /** The web UI's short hash of a LoRA ("Lora hashes" in the parameters text; {@link FileHashes#safetensorsDataSha256}). */
    public static String shortHash(Path path) {
        return FileHashes.safetensorsDataSha256(path).substring(0, 12);
    }
}
