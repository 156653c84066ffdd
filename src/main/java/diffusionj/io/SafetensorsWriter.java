package diffusionj.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.OutputStream;
import java.io.BufferedOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Writes tensors in the safetensors format, in the order given. FLOAT arrays are written as F32 unless
 * the writer was asked for F16 storage; integer and double arrays keep their type.
 */
public final class SafetensorsWriter {
    private final boolean floatsAsF16;

    private SafetensorsWriter(boolean floatsAsF16) {
        this.floatsAsF16 = floatsAsF16;
    }

    public static SafetensorsWriter float32() {
        return new SafetensorsWriter(false);
    }

    public static SafetensorsWriter float16() {
        return new SafetensorsWriter(true);
    }

    public void write(Path file, Map<String, INDArray> tensors, Map<String, String> metadata) {
        Map<String, Entry> layout = new LinkedHashMap<>();
        tensors.forEach((name, a) -> layout.put(name, new Entry(storedType(a), a.shape())));
        write(file, layout, metadata, tensors::get, false);
    }

    /**
     * Writes float tensors made one at a time, so a file larger than memory can be written: {@code shapes} lays
     * out the header, {@code tensor} makes each tensor when its turn comes, and it is freed once written.
     */
    public void writeStreamed(Path file, Map<String, long[]> shapes, Function<String, INDArray> tensor) {
        Map<String, Entry> layout = new LinkedHashMap<>();
        shapes.forEach((name, shape) -> layout.put(name, new Entry(floatsAsF16 ? DType.F16 : DType.F32, shape)));
        write(file, layout, Map.of(), tensor, true);
    }

    private record Entry(DType dtype, long[] shape) {
        long bytes() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n * dtype.bytes;
        }
    }

    private void write(Path file, Map<String, Entry> layout, Map<String, String> metadata, Function<String, INDArray> tensor,
                       boolean freeWritten) {
        JsonObject header = new JsonObject();
        if (!metadata.isEmpty()) {
            JsonObject meta = new JsonObject();
            metadata.forEach(meta::addProperty);
            header.add("__metadata__", meta);
        }
        long offset = 0;
        for (Map.Entry<String, Entry> e : layout.entrySet()) {
            long bytes = e.getValue().bytes();
            JsonObject entry = new JsonObject();
            entry.addProperty("dtype", e.getValue().dtype().name());
            JsonArray shape = new JsonArray();
            for (long d : e.getValue().shape()) {
                shape.add(d);
            }
            entry.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offsets.add(offset + bytes);
            entry.add("data_offsets", offsets);
            header.add(e.getKey(), entry);
            offset += bytes;
        }
        byte[] json = paddedHeader(header.toString());
        createParent(file);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
            out.write(json);
            for (Map.Entry<String, Entry> e : layout.entrySet()) {
                INDArray a = tensor.apply(e.getKey());
                out.write(littleEndianBytes(a, e.getValue().dtype()));
                if (freeWritten) {
                    a.close();
                }
            }
        } catch (IOException e) {
            throw new CheckpointException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    public void write(Path file, Map<String, INDArray> tensors) {
        write(file, tensors, Map.of());
    }

    /** The format asks for the data area to start 8-byte aligned; the header is padded with spaces. */
    private static byte[] paddedHeader(String json) {
        StringBuilder sb = new StringBuilder(json);
        while ((sb.toString().getBytes(StandardCharsets.UTF_8).length + 8) % 8 != 0) {
            sb.append(' ');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private DType storedType(INDArray a) {
        return floatsAsF16 && a.dataType() == DataType.FLOAT ? DType.F16 : DType.of(a.dataType());
    }

    private static byte[] littleEndianBytes(INDArray a, DType dtype) {
        INDArray c = a.isView() || a.ordering() != 'c' ? a.dup('c') : a;
        int n = Math.toIntExact(c.length());
        ByteBuffer buf = ByteBuffer.allocate(n * dtype.bytes).order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case F32 -> buf.asFloatBuffer().put(c.data().asFloat());
            case F16 -> {
                float[] v = c.data().asFloat();
                for (float x : v) {
                    buf.putShort(HalfFloat.toF16(x));
                }
            }
            case F64 -> buf.asDoubleBuffer().put(c.data().asDouble());
            case I64 -> buf.asLongBuffer().put(c.data().asLong());
            case I32 -> buf.asIntBuffer().put(c.data().asInt());
            default -> throw new IllegalArgumentException("writing " + dtype + " tensors is not supported");
        }
        return buf.array();
    }

    /** Output folders are created as needed, as command-line users expect. */
    static void createParent(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new CheckpointException("cannot create the folder " + parent + " for " + file.getFileName() + ": " + e, e);
        }
    }
}
