package diffusionj.nn;

import diffusionj.io.WeightSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One loaded copy of each weight of a component. Graphs built for different input shapes all take their
 * variables from here, so weights are shared between them, never copied.
 */
public final class WeightStore {
    private final WeightSource source;
    private final Map<String, INDArray> loaded = new ConcurrentHashMap<>();

    public WeightStore(WeightSource source) {
        this.source = source;
    }

    public INDArray get(String key, long... shape) {
        return loaded.computeIfAbsent(key, k -> source.load(k, shape));
    }

    public WeightSource source() {
        return source;
    }
}
