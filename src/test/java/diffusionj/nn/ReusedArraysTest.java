package diffusionj.nn;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What SameDiff releases comes back for the next array of the same type and length, within the budget. */
class ReusedArraysTest {

    @Test
    void aReleasedBufferServesTheNextArrayOfTheSameLengthWhateverItsShape() {
        ReusedArrays arrays = new ReusedArrays(1 << 20);
        INDArray first = arrays.allocate(false, DataType.FLOAT, 4, 64);
        first.assign(3);
        arrays.release(first);
        assertEquals(256 * 4, arrays.keptBytes());
        INDArray second = arrays.allocate(false, DataType.FLOAT, 16, 16);
        assertSame(first.data(), second.data());
        assertArrayEquals(new long[]{16, 16}, second.shape());
        assertEquals(0, arrays.keptBytes());
        INDArray other = arrays.allocate(false, DataType.HALF, 16, 16);
        assertNotSame(first.data(), other.data(), "another type is another buffer");
    }

    @Test
    void beyondTheBudgetTheOldestReleasedBuffersAreFreed() {
        ReusedArrays arrays = new ReusedArrays(2500);
        INDArray a = arrays.allocate(false, DataType.FLOAT, 250);
        INDArray b = arrays.allocate(false, DataType.FLOAT, 250);
        INDArray c = arrays.allocate(false, DataType.FLOAT, 250);
        arrays.release(a);
        arrays.release(b);
        arrays.release(c);
        assertEquals(2000, arrays.keptBytes());
        assertTrue(a.data().wasClosed(), "the oldest went");
        assertSame(c.data(), arrays.allocate(false, DataType.FLOAT, 250).data(), "the newest comes back first");
        arrays.trim();
        assertEquals(0, arrays.keptBytes());
    }

    @Test
    void viewsAndArraysLargerThanTheBudgetAreNotKept() {
        ReusedArrays arrays = new ReusedArrays(1000);
        INDArray whole = Nd4j.create(DataType.FLOAT, 10, 10);
        arrays.release(whole.getRow(0));
        arrays.release(Nd4j.create(DataType.FLOAT, 1000));
        assertEquals(0, arrays.keptBytes());
    }
}
