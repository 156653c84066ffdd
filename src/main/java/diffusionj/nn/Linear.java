package diffusionj.nn;

import org.nd4j.autodiff.samediff.SDVariable;

/** {@code y = x·Wᵀ + b} over rows: x [rows, in] → [rows, out], weights stored [out, in] as in PyTorch. */
public final class Linear {
    private Linear() {
    }

    public static SDVariable apply(GraphWeights w, String prefix, SDVariable x, long in, long out) {
        SDVariable y = w.graph().mmul(x, w.get(prefix + ".weight", out, in), false, true, false);
        return y.add(prefix, w.get(prefix + ".bias", out));
    }

    /** GPT-2's "Conv1D": the same map with weights stored [in, out]. */
    public static SDVariable applyInputMajor(GraphWeights w, String prefix, SDVariable x, long in, long out) {
        SDVariable y = w.graph().mmul(x, w.get(prefix + ".weight", in, out));
        return y.add(prefix, w.get(prefix + ".bias", out));
    }

    public static SDVariable applyWithoutBias(GraphWeights w, String prefix, SDVariable x, long in, long out) {
        return w.graph().mmul(prefix, x, w.get(prefix + ".weight", out, in), false, true, false);
    }
}
