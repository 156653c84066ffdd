package diffusionj.attention;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The picture resize that brings any image to the model's working size. */
class BicubicTest {
    @Test
    void aFlatPictureStaysFlatAtAnySize() {
        INDArray flat = Nd4j.valueArrayOf(new long[]{3, 45, 70}, 0.25f);
        for (int[] size : new int[][]{{64, 80}, {16, 16}, {200, 97}}) {
            INDArray out = Bicubic.resizePicture(flat, size[0], size[1]);
            assertEquals(0.25, out.minNumber().doubleValue(), 1e-5);
            assertEquals(0.25, out.maxNumber().doubleValue(), 1e-5);
        }
    }

    /** A one-pixel checkerboard shrunk 4× is its mean, grey; sampling 4 of 16 pixels (no antialiasing) keeps stripes. */
    @Test
    void shrinkingAveragesFineDetailInsteadOfAliasingIt() {
        INDArray checker = Nd4j.create(DataType.FLOAT, 1, 64, 64);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                checker.putScalar(0, y, x, (x + y) % 2 == 0 ? 1 : -1);
            }
        }
        INDArray inner = Bicubic.resizePicture(checker, 16, 16).get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 14), org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 14));
        assertTrue(inner.amaxNumber().doubleValue() < 0.05, "max " + inner.amaxNumber());
    }
}
