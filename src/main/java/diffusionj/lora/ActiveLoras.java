package diffusionj.lora;

import diffusionj.io.CheckpointException;
import diffusionj.io.Component;
import diffusionj.io.WeightSource;
import diffusionj.nn.WeightStore;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The LoRAs in force on one loaded model. Applying a set merges each changed weight once,
 * W' = W + Σ Mᵢ·(alphaᵢ/rankᵢ)·upᵢ·downᵢ, into a copy in the weight's own precision, and hands the copies to the
 * component's {@link WeightStore}, which puts them into every graph; the checkpoint's weights are never written, so
 * any other set (or none) starts again from exactly them. A set equal to the one in force costs nothing. Weights are
 * merged one at a time and every temporary is freed at once, so a merge needs the copies and one layer's scratch.
 */
public final class ActiveLoras {
    /** One module's update of a weight, with the multiplier of its component. */
    private record Part(LoraModule module, double multiplier) {
    }

    private final LoraTargets targets;
    private final Map<Component, WeightSource> sources;
    private final Map<Component, WeightStore> stores;
    private final Map<Component, Map<String, INDArray>> merged = new HashMap<>();
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
        // Every file is read and every module placed before the model changes: a bad file leaves it as it was.
        Map<Component, Map<String, List<Part>>> plan = plan(uses);
        current = List.of();
        stores.values().forEach(s -> s.override(Map.of()));
        merged.values().forEach(copies -> copies.values().forEach(INDArray::close));
        merged.clear();
        for (Map.Entry<Component, WeightStore> store : stores.entrySet()) {
            WeightSource source = sources.get(store.getKey());
            Map<String, INDArray> copies = merge(source, plan.getOrDefault(store.getKey(), Map.of()));
            merged.put(store.getKey(), copies);
            store.getValue().override(copies);
            // The file's pages read for the merge go back to the page cache, as after each phase of a generation.
            source.releasePages();
        }
        current = List.copyOf(uses);
        // Some of the merge's off-heap temporaries are ND4J's own (measured on SD 1.5 size: 1.4 GiB, gone only after a
        // collection); they are freed when their Java objects are collected, which a small heap may not do for long.
        System.gc();
    }

    /** Component → weight key → the updates of it, in the order of the files. */
    private Map<Component, Map<String, List<Part>>> plan(List<LoraUse> uses) {
        Map<Component, Map<String, List<Part>>> plan = new HashMap<>();
        for (LoraUse use : uses) {
            LoraFile file = LoraFile.read(use.file());
            for (LoraModule module : file.modules().values()) {
                LoraTargets.Target t = targets.find(module.name());
                if (t == null) {
                    throw new CheckpointException(use.file() + ": module '" + module.name() + "' matches no layer of the loaded model"
                            + (file.baseModel().isEmpty() ? "" : " (the file says it was trained for " + file.baseModel() + ")"));
                }
                double multiplier = t.component() == Component.UNET ? use.unetMultiplier() : use.textMultiplier();
                if (multiplier != 0) {
                    plan.computeIfAbsent(t.component(), c -> new LinkedHashMap<>())
                            .computeIfAbsent(t.key(), k -> new ArrayList<>()).add(new Part(module, multiplier));
                }
            }
        }
        return plan;
    }

    /** W + ΔW for each planned key, in W's precision; W itself (read in place from the file) is only read. */
    private static Map<String, INDArray> merge(WeightSource source, Map<String, List<Part>> plan) {
        Map<String, INDArray> out = new HashMap<>();
        plan.forEach((key, parts) -> {
            long[] shape = source.shape(key);
            INDArray base = source.mapped(key, shape);
            INDArray sum = base.dataType() == DataType.FLOAT ? base.dup('c') : base.castTo(DataType.FLOAT);
            // The weight as the matrix the updates are: a view, so adding to it adds to the sum.
            INDArray matrix = sum.reshape('c', shape[0], sum.length() / shape[0]);
            for (Part p : parts) {
                INDArray delta;
                try {
                    delta = p.module().delta(shape);
                } catch (IllegalArgumentException e) {
                    throw new CheckpointException("LoRA module " + e.getMessage() + " ('" + key + "')");
                }
                matrix.addi(delta.muli(p.multiplier()));
                delta.close();
            }
            INDArray copy = sum.castTo(base.dataType());
            if (copy != sum) {
                sum.close();
            }
            out.put(key, copy);
        });
        return out;
    }
}
