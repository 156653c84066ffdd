package diffusionj.nn;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.array.SingleThreadArrayHolder;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.autodiff.samediff.internal.memory.ArrayCacheMemoryMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * Runs a SameDiff graph without letting its session hoard memory between calls. SameDiff 1.0.0-M2.1 keeps
 * every op's output reachable from the session until the next call on the same graph, and its default
 * array cache may hold a quarter of the memory limit. Here the cache is small, and once a call returns the
 * session forgets its stored outputs: they become garbage that JavaCPP reclaims (it collects garbage
 * before it lets off-heap memory exceed its limit), so running the VAE after the UNet does not have to
 * fit beside the UNet's intermediates.
 */
public final class GraphRunner {
    /** Fraction of ND4J's memory limit kept as a cache of released arrays. */
    private static final double CACHE_FRACTION = 0.02;

    private GraphRunner() {
    }

    /**
     * A new graph whose weights are held as given. SameDiff's default holder keeps an extra per-device copy
     * of every variable and constant (measured: +1 GB for a 1 GB weight), doubling a model's memory; graphs
     * here are only ever run under their own lock, which is what the single-thread holder needs.
     */
    public static SameDiff newGraph() {
        SameDiff sd = SameDiff.create();
        sd.setArrayHolders(new SingleThreadArrayHolder(), new SingleThreadArrayHolder(), false);
        return sd;
    }

    public static Map<String, INDArray> output(SameDiff sd, Map<String, INDArray> placeholders, String... outputs) {
        synchronized (sd) {
            InferenceSession session = sd.getSessions().computeIfAbsent(Thread.currentThread().getId(), id -> {
                InferenceSession s = new InferenceSession(sd);
                s.setMmgr(new ArrayCacheMemoryMgr(CACHE_FRACTION, 1024, 2.0));
                return s;
            });
            try {
                return sd.output(placeholders, outputs);
            } finally {
                session.getNodeValueOutputs().clear();
            }
        }
    }
}
