package diffusionj.nn;

import diffusionj.io.WeightSource;
import org.nd4j.autodiff.samediff.ArrayHolder;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.lang.ref.WeakReference;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One loaded copy of each weight of a component. Graphs built for different input shapes all take their
 * variables from here, so weights are shared between them, never copied.
 */
public final class WeightStore {
    /** Produces the tensor {@code key} of the given shape. */
    public interface Loader {
        INDArray load(String key, long[] shape);
    }

    /** How a held array relates to its checkpoint tensor: held permuted by {@code order}, or reshaped (order null). */
    private record Layout(String key, long[] shape, int[] order) {
        INDArray toCheckpoint(INDArray held) {
            if (order == null) {
                return held.dup('c').reshape(shape);
            }
            int[] inverse = new int[order.length];
            for (int i = 0; i < order.length; i++) {
                inverse[order[i]] = i;
            }
            return held.permute(inverse).dup('c');
        }
    }

    private final Loader loader;
    private final boolean inPlace;
    private final Runnable releasePages;
    private final Map<String, INDArray> loaded = new ConcurrentHashMap<>();
    private final Map<String, Layout> layouts = new ConcurrentHashMap<>();
    /** Replacements of checkpoint tensors (checkpoint key → tensor in the checkpoint's shape), e.g. LoRA-merged weights. */
    private final Map<String, INDArray> overrides = new ConcurrentHashMap<>();
    /** The graphs whose variables come from here: they follow every change of {@link #overrides}. */
    private final List<WeakReference<SameDiff>> graphs = new CopyOnWriteArrayList<>();

    /** Float32 copies of the checkpoint's weights, which may be changed (training). */
    public WeightStore(WeightSource source) {
        this(source::load);
    }

    public WeightStore(Loader loader) {
        this(loader, false, () -> { });
    }

    private WeightStore(Loader loader, boolean inPlace, Runnable releasePages) {
        this.loader = loader;
        this.inPlace = inPlace;
        this.releasePages = releasePages;
    }

    /**
     * The checkpoint's weights where they lie, in the file's precision: nothing is read at load and nothing
     * copied, and a float16 model takes half the memory of its float32 widening. The graphs widen each
     * block's weights just before the block runs ({@link GraphWeights}). For inference only: these arrays are
     * read-only.
     */
    public static WeightStore inPlace(WeightSource source) {
        return new WeightStore(source::mapped, true, source::releasePages);
    }

    /** Weights from {@code loader}, held as it gives them (see {@link #inPlace(WeightSource)}). */
    public static WeightStore inPlace(Loader loader) {
        return new WeightStore(loader, true, () -> { });
    }

    /**
     * The model's phase is over: weights read in place from a file stop counting in the process's memory (their
     * pages go back to the page cache and come back when next used); copies are kept as they are.
     */
    public void releasePages() {
        releasePages.run();
    }

    /** Whether weights are held as the file has them (layout and precision), for the graph to convert. */
    public boolean inPlace() {
        return inPlace;
    }

    /**
     * Random weights of any requested shape, scaled as PyTorch initialises layers (norm gains 1, biases 0,
     * others N(0, 1/fan-in)), so activations keep ordinary magnitudes: for benchmarks of full-size models
     * whose weights cannot be shipped.
     */
    public static WeightStore random(long seed) {
        return new WeightStore(randomWeights(seed));
    }

    /** The loader of {@link #random}: each call draws a new tensor, scaled by the key's kind and the shape. */
    public static Loader randomWeights(long seed) {
        Nd4j.getRandom().setSeed(seed);
        return (key, shape) -> {
            if (key.endsWith(".bias")) {
                return Nd4j.zeros(DataType.FLOAT, shape);
            }
            if (key.contains("norm") && shape.length == 1) {
                return Nd4j.ones(DataType.FLOAT, shape);
            }
            long fanIn = 1;
            for (int i = 1; i < shape.length; i++) {
                fanIn *= shape[i];
            }
            return Nd4j.randn(DataType.FLOAT, shape).muli(1 / Math.sqrt(shape.length == 1 ? shape[0] : fanIn));
        };
    }

    public INDArray get(String key, long... shape) {
        return current(key, loaded.computeIfAbsent(key, k -> loader.load(k, shape)));
    }

    /**
     * The weight {@code key}, checked against {@code shape} and stored permuted to {@code order}: a layout
     * conversion paid once at load instead of in every call. Only the permuted copy is kept.
     */
    public INDArray getPermuted(String key, long[] shape, int... order) {
        if (inPlace) {
            throw new IllegalStateException("weights held in place are permuted in the graph: " + key);
        }
        String held = key + "#" + java.util.Arrays.toString(order);
        layouts.putIfAbsent(held, new Layout(key, shape, order));
        return loaded.computeIfAbsent(held, k -> {
            INDArray stored = loader.load(key, shape);
            INDArray permuted = stored.permute(order).dup('c');
            // Free the stored layout now: off-heap memory would otherwise wait for a garbage collection.
            stored.close();
            return permuted;
        });
    }

    /**
     * The weight {@code key}, checked against {@code shape}, held reshaped. Held as an array of its own:
     * SameDiff copies variables that are views, which would keep two copies of the largest weights.
     */
    public INDArray getReshaped(String key, long[] shape, long... newShape) {
        String held = key + "#" + java.util.Arrays.toString(newShape);
        layouts.putIfAbsent(held, new Layout(key, shape, null));
        if (inPlace) {
            // The file's row-major data read with another shape: no copy.
            return current(key, loaded.computeIfAbsent(held, k -> loader.load(key, shape).reshape('c', newShape)));
        }
        return current(key, loaded.computeIfAbsent(held, k -> {
            INDArray stored = loader.load(key, shape);
            INDArray reshaped = Nd4j.create(stored.data().dup(), newShape);
            stored.close();
            return reshaped;
        }));
    }

    /** A graph built on these weights: its variables are re-pointed whenever {@link #override} changes a weight. */
    void attach(SameDiff sd) {
        graphs.removeIf(g -> g.get() == null);
        graphs.add(new WeakReference<>(sd));
    }

    /**
     * From now on the checkpoint tensors named in {@code replacements} (checkpoint key → tensor of the checkpoint's
     * shape and the loaded weight's precision) stand in for the loaded ones, in every graph built or still to be
     * built; every earlier replacement not named again is undone. The loaded weights themselves are never written,
     * so {@code override(Map.of())} returns exactly to them, however many changes came before.
     */
    public synchronized void override(Map<String, INDArray> replacements) {
        if (!inPlace && !replacements.isEmpty()) {
            throw new IllegalStateException("weights held as trainable copies cannot be overridden");
        }
        Set<String> changed = new HashSet<>(overrides.keySet());
        changed.addAll(replacements.keySet());
        overrides.clear();
        overrides.putAll(replacements);
        for (WeakReference<SameDiff> ref : graphs) {
            SameDiff sd = ref.get();
            if (sd != null) {
                synchronized (sd) {
                    changed.forEach(key -> repoint(sd, key));
                }
            }
        }
    }

    /**
     * Gives {@code sd}'s variable {@code key}, if it has one, the array now in force for it. The holder's entry is
     * replaced, not assigned to: SameDiff's {@code setArray} copies the values into the array it holds, which
     * would write into the loaded weight (a read-only mapping of the file).
     */
    private void repoint(SameDiff sd, String key) {
        if (!sd.hasVariable(key)) {
            return;
        }
        ArrayHolder arrays = sd.getVariablesArrays();
        long[] shape = arrays.getArray(key).shape();
        loaded.forEach((held, base) -> {
            Layout layout = layouts.get(held);
            String checkpointKey = layout == null ? held : layout.key();
            if (checkpointKey.equals(key) && java.util.Arrays.equals(base.shape(), shape)) {
                arrays.removeArray(key);
                arrays.setArray(key, current(key, base));
            }
        });
    }

    /** The weight in force for {@code key}, held as {@code base} is: its replacement if it has one, else {@code base}. */
    private INDArray current(String key, INDArray base) {
        INDArray replacement = overrides.get(key);
        if (replacement == null) {
            return base;
        }
        if (replacement.dataType() != base.dataType() || replacement.length() != base.length()) {
            throw new IllegalArgumentException("replacement for " + key + " is " + replacement.dataType() + " "
                    + java.util.Arrays.toString(replacement.shape()) + ", the weight is " + base.dataType() + " of "
                    + base.length() + " values");
        }
        // The same values in the held shape, sharing the replacement's memory (a view would be copied by SameDiff).
        INDArray c = replacement.isView() || replacement.ordering() != 'c' ? replacement.dup('c') : replacement;
        return Nd4j.create(c.data(), base.shape(), Nd4j.getStrides(base.shape(), 'c'), 0, 'c', base.dataType());
    }

    /**
     * Every weight used so far in the checkpoint's own layout, keyed by checkpoint key: how a model trained
     * in place (its graphs update these arrays) is saved. Copies; the held arrays stay as they are.
     */
    public Map<String, INDArray> stateDict() {
        Map<String, INDArray> out = new java.util.TreeMap<>();
        loaded.forEach((held, array) -> {
            Layout layout = layouts.get(held);
            if (layout == null) {
                out.put(held, array.dup('c'));
            } else {
                out.put(layout.key(), layout.toCheckpoint(array));
            }
        });
        return out;
    }
}
