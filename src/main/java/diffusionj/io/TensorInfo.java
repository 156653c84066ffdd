package diffusionj.io;

import java.util.Arrays;

/**
 * One entry of a safetensors header: the tensor's element type, shape and byte span
 * {@code [begin, end)} relative to the start of the data area.
 */
public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {

    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }
}
