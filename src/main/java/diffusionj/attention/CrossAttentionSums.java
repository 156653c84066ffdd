package diffusionj.attention;

import diffusionj.unet.UNet2DConditionModel.AttentionLayer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DAAM's first stage, kept as a running sum so no step's attention is stored: for each cross-attention
 * layer of the down and up blocks, the conditional half's softmax probabilities summed over steps,
 * [batch, heads, pixels, keys] per layer.
 */
public final class CrossAttentionSums {
    private final List<AttentionLayer> layers;
    private final Map<String, INDArray> sums = new LinkedHashMap<>();
    private final int halves;

    /** @param all every cross-attention layer of the UNet; the mid block's are left out, as DAAM does */
    public CrossAttentionSums(List<AttentionLayer> all) {
        this(all, 2);
    }

    /** @param halves 2 where the UNet batch is [unconditional, conditional] (guidance), 1 where it is the conditional rows alone */
    public CrossAttentionSums(List<AttentionLayer> all, int halves) {
        this.layers = all.stream().filter(l -> !l.probe().startsWith("mid_block.")).toList();
        this.halves = halves;
    }

    public List<AttentionLayer> layers() {
        return layers;
    }

    /** The output names to request from the UNet. */
    public List<String> probes() {
        return layers.stream().map(AttentionLayer::probe).toList();
    }

    /** Adds one step. @param probs per layer [halves·batch, heads, pixels, keys], the conditional half last */
    public void add(Map<String, INDArray> probs) {
        for (AttentionLayer l : layers) {
            String layer = l.probe();
            INDArray p = probs.get(layer);
            long batch = p.size(0) / halves;
            INDArray conditional = p.get(NDArrayIndex.interval(p.size(0) - batch, p.size(0)), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all());
            sums.merge(layer, conditional.dup(), INDArray::addi);
        }
    }

    /** The summed conditional probabilities of one layer, [batch, heads, pixels, keys]. */
    INDArray sum(AttentionLayer layer) {
        return sums.get(layer.probe());
    }
}
