package diffusionj.io;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.ShortPointer;
import org.bytedeco.javacpp.indexer.Bfloat16Indexer;
import org.bytedeco.javacpp.indexer.FloatIndexer;
import org.bytedeco.javacpp.indexer.HalfIndexer;
import org.bytedeco.javacpp.indexer.Indexer;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.ByteBuffer;

/**
 * ND4J arrays whose data is a memory-mapped region of a file, used where it lies: wrapping the mapping's address
 * costs nothing (a 1 GiB tensor in 0.001 s), while {@code Nd4j.createBuffer(ByteBuffer)} would copy it. The
 * pointer keeps the mapping reachable for as long as the array lives.
 */
final class MappedArrays {
    private MappedArrays() {
    }

    /** @param bytes little-endian tensor data, exactly {@code shape}'s element count of {@code type} */
    static INDArray wrap(ByteBuffer bytes, DataType type, long[] shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        Pointer pointer;
        Indexer indexer;
        switch (type) {
            case FLOAT -> {
                FloatPointer p = new FloatPointer(bytes.asFloatBuffer());
                pointer = p;
                indexer = FloatIndexer.create(p);
            }
            case HALF -> {
                ShortPointer p = new ShortPointer(bytes.asShortBuffer());
                pointer = p;
                indexer = HalfIndexer.create(p);
            }
            case BFLOAT16 -> {
                ShortPointer p = new ShortPointer(bytes.asShortBuffer());
                pointer = p;
                indexer = Bfloat16Indexer.create(p);
            }
            default -> throw new IllegalArgumentException("not a floating-point storage type: " + type);
        }
        DataBuffer buffer = Nd4j.createBuffer(pointer, type, n, indexer);
        return Nd4j.create(buffer, shape, Nd4j.getStrides(shape, 'c'), 0, 'c', type);
    }
}
