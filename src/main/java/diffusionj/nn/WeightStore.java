package diffusionj.nn;

import diffusionj.io.WeightSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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
        return loaded.computeIfAbsent(key, k -> loader.load(k, shape));
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
            return loaded.computeIfAbsent(held, k -> loader.load(key, shape).reshape('c', newShape));
        }
        return loaded.computeIfAbsent(held, k -> {
            INDArray stored = loader.load(key, shape);
            INDArray reshaped = Nd4j.create(stored.data().dup(), newShape);
            stored.close();
            return reshaped;
        });
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
