package diffusionj.io;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The weights of one model component under their diffusers names, read lazily from a safetensors file.
 * For the original single-file layout each diffusers name points at a file key, or at a block of rows of
 * one (the fused q/k/v projections of OpenCLIP), as {@link LdmKeys} lays out.
 */
public final class WeightSource {
    /**
     * A diffusers tensor as stored: file key, which of {@code parts} equal row blocks it is, and whether it
     * is stored as a 1×1 convolution [out, in, 1, 1] where diffusers has a linear layer [out, in], or as the
     * transpose of diffusers' matrix (OpenCLIP's {@code text_projection}).
     */
    public record StoredAs(String fileKey, int part, int parts, boolean pointwiseConv, boolean transposed) {
        public static StoredAs whole(String fileKey) {
            return new StoredAs(fileKey, 0, 1, false, false);
        }

        public static StoredAs rows(String fileKey, int part, int parts) {
            return new StoredAs(fileKey, part, parts, false, false);
        }

        public static StoredAs convAsLinear(String fileKey) {
            return new StoredAs(fileKey, 0, 1, true, false);
        }

        public static StoredAs transposed(String fileKey) {
            return new StoredAs(fileKey, 0, 1, false, true);
        }
    }

    private final Safetensors file;
    private final String component;
    private final Map<String, StoredAs> keys;

    public WeightSource(Safetensors file, String component, Map<String, StoredAs> keys) {
        this.file = file;
        this.component = component;
        this.keys = Collections.unmodifiableMap(new LinkedHashMap<>(keys));
    }

    /** Every tensor of the file under its own name. */
    public static WeightSource identity(Safetensors file, String component) {
        Map<String, StoredAs> keys = new LinkedHashMap<>();
        for (String name : file.names()) {
            keys.put(name, StoredAs.whole(name));
        }
        return new WeightSource(file, component, keys);
    }

    public Set<String> keys() {
        return keys.keySet();
    }

    public boolean contains(String key) {
        return keys.containsKey(key);
    }

    public long[] shape(String key) {
        StoredAs s = stored(key);
        long[] shape = file.info(s.fileKey()).shape().clone();
        shape[0] /= s.parts();
        if (s.transposed()) {
            return new long[]{shape[1], shape[0]};
        }
        return s.pointwiseConv() && shape.length == 4 ? new long[]{shape[0], shape[1]} : shape;
    }

    /** The tensor as float32, checked against the shape the model expects. */
    public INDArray load(String key, long... expectedShape) {
        checkShape(key, expectedShape);
        StoredAs s = stored(key);
        INDArray whole = file.load(s.fileKey());
        if (s.transposed()) {
            return whole.transpose().dup('c');
        }
        if (s.pointwiseConv()) {
            return whole.reshape(expectedShape);
        }
        if (s.parts() == 1) {
            return whole;
        }
        long rows = whole.size(0) / s.parts();
        return whole.get(NDArrayIndex.interval(s.part() * rows, (s.part() + 1) * rows)).dup('c');
    }

    /**
     * The tensor in the file's precision, read in place from the mapped file (see {@link Safetensors#mapped}),
     * checked against the shape the model expects. Never write to it.
     */
    public INDArray mapped(String key, long... expectedShape) {
        checkShape(key, expectedShape);
        StoredAs s = stored(key);
        INDArray whole = file.mapped(s.fileKey());
        if (s.transposed()) {
            // A transpose is no block of the file's bytes: this one matrix is copied (a projection, a few MB at most).
            return whole.transpose().dup('c');
        }
        if (s.pointwiseConv()) {
            return whole.reshape('c', expectedShape);
        }
        if (s.parts() == 1) {
            return whole;
        }
        // A block of rows of a row-major tensor is contiguous: the same data from an offset.
        long offset = s.part() * (whole.length() / s.parts());
        return Nd4j.create(whole.data(), expectedShape, Nd4j.getStrides(expectedShape, 'c'), offset, 'c', whole.dataType());
    }

    /** The pages of every tensor of this component read in place go back to the page cache (see {@link ResidentPages}). */
    public void releasePages() {
        for (StoredAs s : keys.values()) {
            file.releasePages(s.fileKey());
        }
    }

    private void checkShape(String key, long[] expectedShape) {
        long[] found = shape(key);
        if (!java.util.Arrays.equals(found, expectedShape)) {
            throw new CheckpointException(describe(key) + ": expected shape " + java.util.Arrays.toString(expectedShape)
                    + " for the " + component + ", found " + java.util.Arrays.toString(found));
        }
    }

    public Safetensors file() {
        return file;
    }

    private StoredAs stored(String key) {
        StoredAs s = keys.get(key);
        if (s == null) {
            throw new CheckpointException(file.file() + " has no weight for " + component + " key '" + key + "'");
        }
        return s;
    }

    private String describe(String key) {
        StoredAs s = keys.get(key);
        String stored = s.fileKey().equals(key) ? "" : " (stored as '" + s.fileKey() + "'" + (s.parts() > 1 ? ", part " + (s.part() + 1) + " of " + s.parts() : "") + ")";
        return file.file() + ", " + component + " weight '" + key + "'" + stored;
    }
}
