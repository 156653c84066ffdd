package diffusionj.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reader of the safetensors format: an 8-byte little-endian header length, a JSON header, then raw
 * little-endian tensor data. Opening reads and validates the header only; each tensor is memory-mapped
 * and converted when asked for, so multi-gigabyte checkpoints open at once and are never read whole.
 */
public final class Safetensors implements Closeable {
    /** The format's own bound on the header; anything larger is a corrupt or foreign file. */
    private static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;
    /** The mappings handed out by {@link #mapped}, by tensor name, for {@link #releasePages}. */
    private final Map<String, ByteBuffer> mappedTensors = new java.util.concurrent.ConcurrentHashMap<>();

    private Safetensors(Path file, FileChannel channel, long dataStart,
                        Map<String, TensorInfo> tensors, Map<String, String> metadata) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    public static Safetensors open(Path file) {
        PickleGuard.refuseByName(file);
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new CheckpointException("cannot open " + file + ": " + e.getMessage(), e);
        }
        try {
            return readHeader(file, channel);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static Safetensors readHeader(Path file, FileChannel channel) {
        long fileSize = size(file, channel);
        if (fileSize < 8) {
            throw new CheckpointException(file + " is not a safetensors file: only " + fileSize + " bytes, fewer than the 8-byte header length");
        }
        ByteBuffer prefix = read(file, channel, 0, 8);
        long headerLength = prefix.duplicate().order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        boolean plausible = headerLength > 0 && headerLength <= MAX_HEADER_BYTES && 8 + headerLength <= fileSize;
        if (!plausible || read(file, channel, 8, 1).get(0) != '{') {
            // Only a file that does not start like safetensors is checked for pickle signatures: a valid
            // header length can begin with the same bytes.
            PickleGuard.refuseByMagic(file, prefix);
        }
        if (!plausible) {
            throw new CheckpointException(file + " is truncated or not a safetensors file: header length " + headerLength
                    + " does not fit in a file of " + fileSize + " bytes");
        }
        String json = StandardCharsets.UTF_8.decode(read(file, channel, 8, (int) headerLength)).toString();
        JsonObject header = parseHeader(file, json);
        long dataStart = 8 + headerLength;
        long dataSize = fileSize - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : header.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                readMetadata(file, e.getValue(), metadata);
            } else {
                tensors.put(e.getKey(), parseEntry(file, e.getKey(), e.getValue(), dataSize));
            }
        }
        checkNoOverlap(file, tensors.values());
        return new Safetensors(file, channel, dataStart, Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(metadata));
    }

    private static JsonObject parseHeader(Path file, String json) {
        try {
            JsonElement root = JsonParser.parseString(json.trim());
            if (!root.isJsonObject()) {
                throw new CheckpointException(file + " has a safetensors header that is not a JSON object");
            }
            return root.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new CheckpointException(file + " has a safetensors header that is not valid JSON: " + e.getMessage(), e);
        }
    }

    private static void readMetadata(Path file, JsonElement value, Map<String, String> into) {
        if (!value.isJsonObject()) {
            throw new CheckpointException(file + ": __metadata__ must be a JSON object of strings");
        }
        for (Map.Entry<String, JsonElement> m : value.getAsJsonObject().entrySet()) {
            into.put(m.getKey(), m.getValue().isJsonPrimitive() ? m.getValue().getAsString() : m.getValue().toString());
        }
    }

    private static TensorInfo parseEntry(Path file, String name, JsonElement value, long dataSize) {
        String where = file + ", tensor '" + name + "'";
        try {
            JsonObject o = value.getAsJsonObject();
            String dtypeName = o.get("dtype").getAsString();
            DType dtype = DType.parse(dtypeName);
            if (dtype == null) {
                throw new CheckpointException(where + ": unknown dtype '" + dtypeName + "'");
            }
            long[] shape = new long[o.getAsJsonArray("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = o.getAsJsonArray("shape").get(i).getAsLong();
                if (shape[i] < 0) {
                    throw new CheckpointException(where + ": negative dimension in shape " + o.get("shape"));
                }
            }
            long begin = o.getAsJsonArray("data_offsets").get(0).getAsLong();
            long end = o.getAsJsonArray("data_offsets").get(1).getAsLong();
            TensorInfo info = new TensorInfo(name, dtype, shape, begin, end);
            if (begin < 0 || end < begin || end > dataSize) {
                throw new CheckpointException(where + ": data_offsets [" + begin + ", " + end + "] lie outside the data area of "
                        + dataSize + " bytes (truncated file?)");
            }
            long expected = info.elementCount() * dtype.bytes;
            if (expected != end - begin) {
                throw new CheckpointException(where + ": shape " + info.shapeString() + " of " + dtype + " needs " + expected
                        + " bytes but data_offsets span " + (end - begin));
            }
            return info;
        } catch (CheckpointException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CheckpointException(where + ": malformed header entry " + value + " (expected dtype, shape and data_offsets)", e);
        }
    }

    private static void checkNoOverlap(Path file, Iterable<TensorInfo> infos) {
        List<TensorInfo> sorted = new ArrayList<>();
        infos.forEach(sorted::add);
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        for (int i = 1; i < sorted.size(); i++) {
            TensorInfo prev = sorted.get(i - 1);
            TensorInfo cur = sorted.get(i);
            if (cur.begin() < prev.end()) {
                throw new CheckpointException(file + ": tensors '" + prev.name() + "' [" + prev.begin() + ", " + prev.end() + ") and '"
                        + cur.name() + "' [" + cur.begin() + ", " + cur.end() + ") overlap");
            }
        }
    }

    public Path file() {
        return file;
    }

    /** Tensor names in header order. */
    public java.util.Set<String> names() {
        return tensors.keySet();
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public TensorInfo info(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new CheckpointException(file + " has no tensor '" + name + "'");
        }
        return info;
    }

    /**
     * The tensor as an ND4J array: floating-point types become FLOAT (float32 compute, whatever the
     * storage), 32- and 64-bit integers keep their width, 8-bit integers widen to INT.
     */
    public INDArray load(String name) {
        TensorInfo info = info(name);
        if (info.end() - info.begin() > Integer.MAX_VALUE) {
            throw new CheckpointException(file + ", tensor '" + name + "': " + (info.end() - info.begin())
                    + " bytes; single tensors over 2 GiB are not supported");
        }
        ByteBuffer bytes = map(info).order(ByteOrder.LITTLE_ENDIAN);
        long[] shape = info.shape();
        int n = Math.toIntExact(info.elementCount());
        return switch (info.dtype()) {
            case F32 -> {
                float[] v = new float[n];
                bytes.asFloatBuffer().get(v);
                yield Nd4j.create(v, shape, 'c');
            }
            case F16 -> Nd4j.create(HalfFloat.f16ToFloats(bytes, n), shape, 'c');
            case BF16 -> Nd4j.create(HalfFloat.bf16ToFloats(bytes, n), shape, 'c');
            case F64 -> {
                double[] v = new double[n];
                bytes.asDoubleBuffer().get(v);
                yield Nd4j.create(v, shape, 'c').castTo(DataType.FLOAT);
            }
            case I64 -> {
                long[] v = new long[n];
                bytes.asLongBuffer().get(v);
                yield Nd4j.createFromArray(v).reshape(shape);
            }
            case I32 -> {
                int[] v = new int[n];
                bytes.asIntBuffer().get(v);
                yield Nd4j.createFromArray(v).reshape(shape);
            }
            case U8, I8 -> {
                int[] v = new int[n];
                for (int i = 0; i < n; i++) {
                    v[i] = info.dtype() == DType.U8 ? bytes.get(i) & 0xff : bytes.get(i);
                }
                yield Nd4j.createFromArray(v).reshape(shape);
            }
            default -> throw new CheckpointException(file + ", tensor '" + name + "': dtype " + info.dtype() + " is not supported for loading");
        };
    }

    /**
     * A floating-point tensor in the file's own precision (FLOAT, HALF or BFLOAT16), read in place from the
     * memory-mapped file: nothing is copied, and its pages are the page cache's, shared with every other
     * reader of the file and dropped under memory pressure. The mapping is read-only: such an array must never
     * be written to (an op writing in place would crash the process), so only inference graphs take them, and
     * anything that changes weights (training, LoRA) works on copies. Other types are read as by {@link #load}.
     */
    public INDArray mapped(String name) {
        TensorInfo info = info(name);
        DataType type = switch (info.dtype()) {
            case F32 -> DataType.FLOAT;
            case F16 -> DataType.HALF;
            case BF16 -> DataType.BFLOAT16;
            default -> null;
        };
        if (type == null || info.elementCount() == 0) {
            return load(name);
        }
        // One mapping per tensor, however often it is asked for (a LoRA merge reads the weights the graphs hold): a
        // second one would hold its own resident pages, which releasePages, knowing only the last, would never free.
        ByteBuffer bytes = mappedTensors.computeIfAbsent(name, n -> map(info).order(ByteOrder.LITTLE_ENDIAN));
        return MappedArrays.wrap(bytes, type, info.shape());
    }

    /**
     * Gives the pages of a tensor read by {@link #mapped} back to the page cache (see {@link ResidentPages}); the
     * array stays valid and reads them again when next used. Does nothing for a tensor not read in place.
     */
    public void releasePages(String name) {
        ByteBuffer bytes = mappedTensors.get(name);
        if (bytes != null) {
            ResidentPages.release(bytes);
        }
    }

    /** Float64 tensors (scheduler timesteps and sigmas) read without rounding to float32. */
    public double[] loadDoubles(String name) {
        TensorInfo info = info(name);
        if (info.dtype() != DType.F64) {
            return load(name).castTo(DataType.DOUBLE).data().asDouble();
        }
        double[] v = new double[Math.toIntExact(info.elementCount())];
        map(info).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(v);
        return v;
    }

    private ByteBuffer map(TensorInfo info) {
        long length = info.end() - info.begin();
        if (length == 0) {
            return ByteBuffer.allocate(0);
        }
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, dataStart + info.begin(), length);
        } catch (IOException e) {
            throw new CheckpointException(file + ", tensor '" + info.name() + "': cannot map its data: " + e.getMessage(), e);
        }
    }

    private static long size(Path file, FileChannel channel) {
        try {
            return channel.size();
        } catch (IOException e) {
            throw new CheckpointException("cannot read the size of " + file + ": " + e.getMessage(), e);
        }
    }

    private static ByteBuffer read(Path file, FileChannel channel, long position, int length) {
        ByteBuffer buf = ByteBuffer.allocate(length);
        try {
            while (buf.hasRemaining()) {
                if (channel.read(buf, position + buf.position()) < 0) {
                    throw new CheckpointException(file + " ends after " + (position + buf.position()) + " bytes, inside its header");
                }
            }
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return buf.flip();
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Already failing with a clearer error.
        }
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }
}
