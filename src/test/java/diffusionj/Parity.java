package diffusionj;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fixtures' tolerances, stated once. */
public final class Parity {
    private Parity() {
    }

    /** float32 against float32: max |a − b| ≤ tol · max(1, max |ref|). */
    public static void assertClose(INDArray expected, INDArray actual, double tol, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape " + Arrays.toString(actual.shape()));
        double scale = Math.max(1.0, Transforms.abs(expected.castTo(DataType.DOUBLE)).maxNumber().doubleValue());
        double err = maxAbsDiff(expected, actual);
        assertTrue(err <= tol * scale, what + ": max |error| " + err + " > " + tol + " · " + scale);
    }

    /** float16 weights: max |a − b| relative to the reference's largest magnitude, ≤ tol. */
    public static void assertRelativeClose(INDArray expected, INDArray actual, double tol, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape " + Arrays.toString(actual.shape()));
        double scale = Transforms.abs(expected.castTo(DataType.DOUBLE)).maxNumber().doubleValue();
        double err = maxAbsDiff(expected, actual);
        assertTrue(err <= tol * scale, what + ": max |error| " + err + " > " + tol + " relative to max |ref| " + scale);
    }

    /** The fixtures' rule for a model stage: 1e-4 absolute (scaled) from float32 weights, 1e-2 relative from float16. */
    public static void assertMatchesReference(boolean fp16Weights, INDArray expected, INDArray actual, String what) {
        if (fp16Weights) {
            assertRelativeClose(expected, actual, 1e-2, what);
        } else {
            assertClose(expected, actual, 1e-4, what);
        }
    }

    public static double maxAbsDiff(INDArray expected, INDArray actual) {
        return Transforms.abs(expected.castTo(DataType.DOUBLE).sub(actual.castTo(DataType.DOUBLE))).maxNumber().doubleValue();
    }
}
