package diffusionj.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Puts checkpoint tensors into a SameDiff graph as variables named by their diffusers keys, so the graph
 * reads like the state dict; the arrays come from a {@link WeightStore}, shared by every graph of the model.
 */
public final class GraphWeights {
    private final SameDiff sd;
    private final WeightStore source;

    public GraphWeights(SameDiff sd, WeightStore source) {
        this.sd = sd;
        this.source = source;
    }

    public SameDiff graph() {
        return sd;
    }

    /** The variable {@code key}, held permuted to {@code order} (see {@link WeightStore#getPermuted}). */
    public SDVariable getPermuted(String key, long[] shape, int... order) {
        if (sd.hasVariable(key)) {
            return sd.getVariable(key);
        }
        return sd.var(key, source.getPermuted(key, shape, order));
    }

    /** The variable {@code key}, held reshaped to {@code newShape}. */
    public SDVariable getReshaped(String key, long[] shape, long... newShape) {
        if (sd.hasVariable(key)) {
            return sd.getVariable(key);
        }
        return sd.var(key, source.getReshaped(key, shape, newShape));
    }

    /** The variable {@code key}, loaded and checked against {@code shape} on first use. */
    public SDVariable get(String key, long... shape) {
        if (sd.hasVariable(key)) {
            return sd.getVariable(key);
        }
        return sd.var(key, source.get(key, shape));
    }
}
