package diffusionj.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Puts checkpoint tensors into a SameDiff graph as variables named by their diffusers keys, so the graph
 * reads like the state dict; the arrays come from a {@link WeightStore}, shared by every graph of the model.
 *
 * <p>Weights held in the file's precision are widened to float32 in the graph ({@code <key>.float32}), into
 * memory the graph runner reuses from block to block. SameDiff runs every op whose inputs are ready, breadth
 * first, so a cast of a weight alone would run at the start of the call and all widened weights would be alive
 * at once; each widening therefore waits for the activation set by {@link #orderAfter} — the input of the
 * block that uses it. The widenings of a block wait in a chain, each for the one before, the first for the
 * activation: SameDiff re-walks the graph above every variable once per consumer on every call
 * ({@code AbstractSession.initSubgraph} queues a variable again for each consumer it meets before processing it, and
 * each copy queues its inputs again), so dozens of casts hanging on one mid-graph activation cost a walk of the graph
 * above it for each cast — 23 s per call for SDXL's UNet before the chain.
 */
public final class GraphWeights {
    private final SameDiff sd;
    private final WeightStore source;
    private SDVariable after;
    /** The last widening ordered after {@link #after}: the next one waits for it. */
    private SDVariable lastWidened;

    public GraphWeights(SameDiff sd, WeightStore source) {
        this.sd = sd;
        this.source = source;
        source.attach(sd);
    }

    public SameDiff graph() {
        return sd;
    }

    /** Whether weights come as the file holds them (see {@link WeightStore#inPlace()}). */
    public boolean weightsInPlace() {
        return source.inPlace();
    }

    /** Weights taken from now on are widened only once {@code activation} is computed. */
    public void orderAfter(SDVariable activation) {
        this.after = activation;
        this.lastWidened = null;
    }

    /**
     * The variable {@code key}, held permuted to {@code order} (see {@link WeightStore#getPermuted}); only for
     * weights held as float32 copies: those used in place keep the file's layout.
     */
    public SDVariable getPermuted(String key, long[] shape, int... order) {
        if (sd.hasVariable(key)) {
            return sd.getVariable(key);
        }
        return sd.var(key, source.getPermuted(key, shape, order));
    }

    /** The variable {@code key}, held reshaped to {@code newShape}. */
    public SDVariable getReshaped(String key, long[] shape, long... newShape) {
        SDVariable held = held(key);
        return held != null ? held : widened(sd.var(key, source.getReshaped(key, shape, newShape)));
    }

    /** The variable {@code key}, loaded and checked against {@code shape} on first use. */
    public SDVariable get(String key, long... shape) {
        SDVariable held = held(key);
        return held != null ? held : widened(sd.var(key, source.get(key, shape)));
    }

    /** The graph's float32 form of {@code key} if it has one already: its widening, or the variable itself. */
    private SDVariable held(String key) {
        if (sd.hasVariable(key + ".float32")) {
            return sd.getVariable(key + ".float32");
        }
        return sd.hasVariable(key) ? sd.getVariable(key) : null;
    }

    private SDVariable widened(SDVariable stored) {
        if (stored.dataType() == DataType.FLOAT) {
            return stored;
        }
        SDVariable widened = stored.castTo(stored.name() + ".float32", DataType.FLOAT);
        if (after != null) {
            widened.addControlDependency(lastWidened != null ? lastWidened : after);
            lastWidened = widened;
        }
        return widened;
    }
}
