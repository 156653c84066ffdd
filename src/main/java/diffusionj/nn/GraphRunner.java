package diffusionj.nn;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.array.SingleThreadArrayHolder;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * Runs SameDiff graphs without letting them hoard memory. Every op's float output comes from, and goes back to,
 * one {@link ArrayArena} shared by all graphs: SameDiff releases each intermediate as soon as its last consumer
 * has run, and the next op reuses its pages, whatever its shape. (SameDiff 1.0.0-M2.1 gives each session its own cache
 * of up to a quarter of the memory limit, matched by exact shape: 880 MB stayed after one 256² UNet call.) Once
 * a call returns the session also forgets its stored outputs, so running the VAE after the UNet does not have
 * to fit beside the UNet's intermediates.
 */
public final class GraphRunner {
    /**
     * The memory of every graph's intermediates, in slabs of 256 MiB; a slab's pages become resident as they are
     * first written. The test suite sets {@code diffusionj.arenaCheck}: every float array then comes from the arena
     * filled with NaN, so that the parity tests, whose tiny arrays would otherwise stay outside, check it too.
     */
    public static final ArrayArena ARRAYS = new ArrayArena(256L << 20, Boolean.getBoolean("diffusionj.arenaCheck"));

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
            // SameDiff makes the session as soon as a variable gets its array, with its own cache (a quarter of
            // the memory limit, exact shapes only): the memory manager is replaced on first use instead.
            InferenceSession session = sd.getSessions().computeIfAbsent(Thread.currentThread().getId(), id -> new InferenceSession(sd));
            if (session.getMmgr() != ARRAYS) {
                session.setMmgr(ARRAYS);
            }
            try {
                return ARRAYS.detach(sd.output(placeholders, outputs));
            } finally {
                session.getNodeValueOutputs().clear();
                ARRAYS.endCall();
            }
        }
    }
}
