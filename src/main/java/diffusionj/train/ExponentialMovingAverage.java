package diffusionj.train;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;
import java.util.TreeMap;

/**
 * The averaged weights a diffusion model is sampled with: after each step ema ← d·ema + (1−d)·w. The decay
 * warms up as min(d, (1+n)/(10+n)) (as diffusers' EMAModel does), so early averages are not dominated by
 * the random initialisation in a short run.
 */
final class ExponentialMovingAverage {
    private final double decay;
    private final Map<String, INDArray> average = new TreeMap<>();

    ExponentialMovingAverage(double decay) {
        this.decay = decay;
    }

    void update(Map<String, INDArray> params, long step) {
        double d = Math.min(decay, (1.0 + step) / (10.0 + step));
        params.forEach((name, w) -> {
            INDArray a = average.get(name);
            if (a == null) {
                average.put(name, w.dup());
            } else {
                a.muli(d).addi(w.mul(1 - d));
            }
        });
    }

    Map<String, INDArray> weights() {
        return average;
    }

    void restore(String name, INDArray value) {
        average.put(name, value);
    }
}
