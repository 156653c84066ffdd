package diffusionj.nn;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.autodiff.samediff.internal.memory.ArrayCacheMemoryMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * Runs a SameDiff graph with a small array cache. SameDiff's default session keeps up to a quarter of the
 * machine's memory in released intermediates for reuse; for a UNet whose activations are hundreds of MB
 * each, that alone can be gigabytes. Here released arrays beyond a small cache are freed at once, so the
 * peak is the live set of the graph.
 */
public final class GraphRunner {
    /** Fraction of ND4J's physical-memory limit kept as a cache of released arrays. */
    private static final double CACHE_FRACTION = 0.02;

    private GraphRunner() {
    }

    public static Map<String, INDArray> output(SameDiff sd, Map<String, INDArray> placeholders, String... outputs) {
        synchronized (sd) {
            sd.getSessions().computeIfAbsent(Thread.currentThread().getId(), id -> {
                InferenceSession session = new InferenceSession(sd);
                session.setMmgr(new ArrayCacheMemoryMgr(CACHE_FRACTION, 1024, 2.0));
                return session;
            });
            return sd.output(placeholders, outputs);
        }
    }
}
