package diffusionj.train;

import diffusionj.io.CheckpointException;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The trainable variables of a training graph with what optimising them keeps: AdamW's moments and, for a model
 * exported as its weights' moving average, that average. The variables' arrays are the weight stores' own, so an
 * update here is seen by every graph built from the same stores.
 */
final class TrainableWeights {
    private final SameDiff sd;
    private final List<String> names;
    private final AdamW optimizer;
    private final ExponentialMovingAverage ema;

    /** @param average whether to keep the moving average of the weights ({@link TrainingSettings#emaDecay()}) */
    TrainableWeights(SameDiff sd, TrainingSettings settings, boolean average) {
        this.sd = sd;
        this.names = sd.variables().stream().filter(v -> v.getVariableType() == VariableType.VARIABLE).map(SDVariable::name).sorted().toList();
        this.optimizer = new AdamW(settings.weightDecay());
        this.ema = average ? new ExponentialMovingAverage(settings.emaDecay()) : null;
    }

    List<String> names() {
        return names;
    }

    /** The tensors as the graph holds them (some permuted or reshaped for speed), by variable name. */
    Map<String, INDArray> parameters() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (String name : names) {
            out.put(name, sd.getVariable(name).getArr());
        }
        return out;
    }

    long count() {
        return parameters().values().stream().mapToLong(INDArray::length).sum();
    }

    /** Global-norm clipping to {@code clipNorm}, then AdamW on every tensor, then the moving average. */
    void update(Map<String, INDArray> grads, double lr, double clipNorm, long step) {
        double squares = 0;
        for (INDArray g : grads.values()) {
            double n = g.norm2Number().doubleValue();
            squares += n * n;
        }
        double clip = Math.min(1, clipNorm / (Math.sqrt(squares) + 1e-6));
        Map<String, INDArray> params = parameters();
        params.forEach((name, p) -> optimizer.update(name, p, clip < 1 ? grads.get(name).mul(clip) : grads.get(name), lr, step));
        if (ema != null) {
            ema.update(params, step);
        }
    }

    /**
     * Runs {@code action} with the averaged weights in place of the trained ones (the inference graphs share
     * the arrays), then puts the trained weights back.
     */
    void withAveraged(Runnable action) {
        if (ema == null) {
            throw new IllegalStateException("these weights keep no moving average");
        }
        Map<String, INDArray> params = parameters();
        Map<String, INDArray> saved = new HashMap<>();
        params.forEach((name, p) -> {
            saved.put(name, p.dup());
            INDArray average = ema.weights().get(name);
            if (average != null) {
                p.assign(average);
            }
        });
        try {
            action.run();
        } finally {
            params.forEach((name, p) -> p.assign(saved.get(name)));
        }
    }

    /** Everything a resumed run needs, keyed "param/", "ema/" (if kept), "m/", "v/" + variable name. */
    Map<String, INDArray> state() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        parameters().forEach((name, p) -> out.put("param/" + name, p));
        if (ema != null) {
            ema.weights().forEach((name, p) -> out.put("ema/" + name, p));
        }
        out.putAll(optimizer.state());
        return out;
    }

    void restore(Map<String, INDArray> state) {
        parameters().forEach((name, p) -> {
            INDArray saved = state.get("param/" + name);
            if (saved == null || !Arrays.equals(saved.shape(), p.shape())) {
                throw new CheckpointException("the training checkpoint does not match the model: "
                        + "param/" + name + (saved == null ? " is missing" : " has shape " + Arrays.toString(saved.shape())
                        + ", expected " + Arrays.toString(p.shape())));
            }
            p.assign(saved);
            if (ema != null) {
                ema.restore(name, state.get("ema/" + name).dup());
            }
            optimizer.restore(name, state.get("m/" + name).dup(), state.get("v/" + name).dup());
        });
    }
}
