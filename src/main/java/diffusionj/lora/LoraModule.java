package diffusionj.lora;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * One layer's low-rank update as a LoRA file stores it: {@code down} [rank, in] (a LoCon convolution: [rank, in,
 * kH, kW]) and {@code up} [out, rank] (or [out, rank, 1, 1]), applied as ΔW = (alpha / rank) · up · down.
 *
 * @param alpha the file's {@code alpha}; a file without one trains at alpha = rank (scale 1)
 */
public record LoraModule(String name, INDArray down, INDArray up, double alpha) {
    public long rank() {
        return down.size(0);
    }

    /**
     * ΔW for a layer whose weight has {@code weightShape}, float32, as [out, in·kH·kW] (the weight's row-major layout
     * read as a matrix): the product of the two factors, for a LoCon convolution the one kernel that running its two
     * convolutions in turn amounts to (the 1×1 {@code up} mixes the rank channels of the k×k {@code down}). An array
     * of its own, not a view, so the caller can free it at once.
     */
    public INDArray delta(long[] weightShape) {
        long rank = rank();
        if (up.rank() < 2 || up.size(1) != rank || up.length() != up.size(0) * rank) {
            throw new IllegalArgumentException(name + ": up factor " + Arrays.toString(up.shape()) + " should be [out, " + rank
                    + "] or [out, " + rank + ", 1, 1] for the down factor " + Arrays.toString(down.shape()));
        }
        long out = up.size(0);
        long expected = Arrays.stream(weightShape).reduce(1, (a, b) -> a * b);
        if (out != weightShape[0] || out * (down.length() / rank) != expected) {
            throw new IllegalArgumentException(name + ": up " + Arrays.toString(up.shape()) + " · down " + Arrays.toString(down.shape())
                    + " does not fit the model's weight " + Arrays.toString(weightShape));
        }
        INDArray product = up.castTo(DataType.FLOAT).reshape(out, rank)
                .mmul(down.castTo(DataType.FLOAT).reshape(rank, down.length() / rank));
        return product.muli(alpha / rank);
    }
}
