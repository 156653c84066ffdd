package diffusionj.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Map;
import java.util.TreeMap;

/**
 * Adam with decoupled weight decay (Loshchilov &amp; Hutter): the decay shrinks a weight directly instead of
 * being added to its gradient, so Adam's per-weight scaling does not weaken it. One-dimensional tensors
 * (biases, norm gains) are not decayed. Moments are kept per variable and saved with training checkpoints.
 */
final class AdamW {
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPS = 1e-8;

    private final double weightDecay;
    private final Map<String, INDArray> first = new TreeMap<>();
    private final Map<String, INDArray> second = new TreeMap<>();

    AdamW(double weightDecay) {
        this.weightDecay = weightDecay;
    }

    /** Updates {@code param} in place; {@code step} counts from 1 (bias correction). */
    void update(String name, INDArray param, INDArray grad, double lr, long step) {
        INDArray m = first.computeIfAbsent(name, k -> param.ulike().assign(0));
        INDArray v = second.computeIfAbsent(name, k -> param.ulike().assign(0));
        m.muli(BETA1).addi(grad.mul(1 - BETA1));
        v.muli(BETA2).addi(grad.mul(grad).muli(1 - BETA2));
        double mScale = 1 / (1 - Math.pow(BETA1, step));
        double vScale = 1 / (1 - Math.pow(BETA2, step));
        if (param.rank() > 1) {
            param.muli(1 - lr * weightDecay);
        }
        INDArray denominator = Transforms.sqrt(v.mul(vScale), false).addi(EPS);
        param.subi(m.mul(mScale * lr).divi(denominator));
    }

    /** The moments as "m/NAME" and "v/NAME", for a training checkpoint. */
    Map<String, INDArray> state() {
        Map<String, INDArray> out = new TreeMap<>();
        first.forEach((k, a) -> out.put("m/" + k, a));
        second.forEach((k, a) -> out.put("v/" + k, a));
        return out;
    }

    void restore(String name, INDArray m, INDArray v) {
        first.put(name, m);
        second.put(name, v);
    }
}
