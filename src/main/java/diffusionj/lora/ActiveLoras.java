package diffusionj.lora;

import diffusionj.io.CheckpointException;
import diffusionj.io.Component;
import diffusionj.io.WeightSource;
import diffusionj.nn.WeightStore;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The LoRAs in force on one loaded model. Applying a set merges each changed weight once,
 * W' = W + Σ Mᵢ·(alphaᵢ/rankᵢ)·upᵢ·downᵢ, into a copy in the weight's own precision, and hands the copies to the
 * component's {@link WeightStore}, which puts them into every graph; the checkpoint's weights are never written, so
 * any other set (or none) starts again from exactly them. A set equal to the one in force costs nothing.
 */
public final class ActiveLoras {
    private final LoraTargets targets;
    private final Map<Component, WeightSource> sources;
    private final Map<Component, WeightStore> stores;
    private List<LoraUse> current = List.of();

    public ActiveLoras(LoraTargets targets, Map<Component, WeightSource> sources, Map<Component, WeightStore> stores) {
        this.targets = targets;
        this.sources = Map.copyOf(sources);
        this.stores = Map.copyOf(stores);
    }

    public synchronized List<LoraUse> current() {
        return current;
    }

    /** Makes {@code uses} the LoRAs in force (an empty list: the checkpoint as it is). */
    public synchronized void apply(List<LoraUse> uses) {
        if (uses.equals(current)) {
            return;
        }
        Map<Component, Map<String, INDArray>> deltas = new HashMap<>();
        for (LoraUse use : uses) {
            addDeltas(use, deltas);
        }
        // Undo first: if a merge below fails, the model is left as the checkpoint, not half-changed.
        current = List.of();
        stores.values().forEach(s -> s.override(Map.of()));
        for (Map.Entry<Component, WeightStore> store : stores.entrySet()) {
            store.getValue().override(merged(sources.get(store.getKey()), deltas.getOrDefault(store.getKey(), Map.of())));
        }
        current = List.copyOf(uses);
    }

    /** Adds each of the file's scaled updates to {@code deltas} (component → weight key → Σ ΔW, float32). */
    private void addDeltas(LoraUse use, Map<Component, Map<String, INDArray>> deltas) {
        LoraFile file = LoraFile.read(use.file());
        for (LoraModule module : file.modules().values()) {
            LoraTargets.Target t = targets.find(module.name());
            if (t == null) {
                throw new CheckpointException(use.file() + ": module '" + module.name() + "' matches no layer of the loaded model"
                        + (file.baseModel().isEmpty() ? "" : " (the file says it was trained for " + file.baseModel() + ")"));
            }
            double multiplier = t.component() == Component.TEXT_ENCODER ? use.textMultiplier() : use.unetMultiplier();
            if (multiplier == 0) {
                continue;
            }
            INDArray delta;
            try {
                delta = module.delta(t.shape()).muli(multiplier);
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(use.file() + ", module " + e.getMessage() + " ('" + t.key() + "')");
            }
            deltas.computeIfAbsent(t.component(), c -> new HashMap<>()).merge(t.key(), delta, INDArray::addi);
        }
    }

    /** W + ΔW for each key, in W's precision; W itself (read in place from the file) is only read. */
    private static Map<String, INDArray> merged(WeightSource source, Map<String, INDArray> deltas) {
        Map<String, INDArray> out = new HashMap<>();
        deltas.forEach((key, delta) -> {
            INDArray base = source.mapped(key, source.shape(key));
            out.put(key, delta.addi(base.castTo(DataType.FLOAT)).castTo(base.dataType()));
        });
        return out;
    }
}
