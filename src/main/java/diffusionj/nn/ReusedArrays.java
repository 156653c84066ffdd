package diffusionj.nn;

import org.nd4j.autodiff.samediff.internal.memory.AbstractMemoryMgr;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The memory every graph's intermediate arrays come from: a buffer SameDiff releases is kept and handed out
 * again for the next array of the same type and length, whatever its shape; beyond {@code budgetBytes} the
 * least recently released buffers are freed. Reuse is a speed lever as well as a memory one: writing fresh
 * pages costs a fault and a clearing each (0.57 GB/s on this machine class, against 25 GB/s for pages already
 * touched). SameDiff's own cache matches exact shapes only and let 880 MB collect after one 256² UNet call;
 * one instance here is shared by every graph, so the autoencoder reuses what the UNet released.
 */
public final class ReusedArrays extends AbstractMemoryMgr {
    private record Size(DataType type, long length) {
        long bytes() {
            return length * type.width();
        }
    }

    /** A kept buffer, compared by identity (DataBuffer's own equals compares contents). */
    private static final class Kept {
        final DataBuffer buffer;
        final Size size;

        Kept(DataBuffer buffer, Size size) {
            this.buffer = buffer;
            this.size = size;
        }
    }

    private final long budgetBytes;
    /** Free buffers by size, and the same buffers in release order (oldest first) for eviction. */
    private final Map<Size, ArrayDeque<Kept>> free = new HashMap<>();
    private final LinkedHashSet<Kept> released = new LinkedHashSet<>();
    private final Set<DataBuffer> keptBuffers = Collections.newSetFromMap(new IdentityHashMap<>());
    private long freeBytes;

    public ReusedArrays(long budgetBytes) {
        this.budgetBytes = budgetBytes;
    }

    @Override
    public synchronized INDArray allocate(boolean detached, DataType dataType, long... shape) {
        long length = 1;
        for (long s : shape) {
            length *= s;
        }
        if (length == 0 || shape.length == 0) {
            return Nd4j.createUninitializedDetached(dataType, shape);
        }
        DataBuffer buffer = take(new Size(dataType, length));
        return buffer == null ? Nd4j.createUninitializedDetached(dataType, shape) : Nd4j.create(buffer, shape);
    }

    @Override
    public INDArray allocate(boolean detached, LongShapeDescriptor descriptor) {
        if (descriptor.isEmpty()) {
            return Nd4j.create(descriptor);
        }
        INDArray array = allocate(detached, descriptor.dataType(), descriptor.getShape());
        return array.ordering() == descriptor.getOrder() ? array : array.dup(descriptor.getOrder());
    }

    @Override
    public synchronized void release(INDArray array) {
        DataBuffer buffer = array.data();
        if (buffer == null || array.wasClosed() || array.isView() || array.isEmpty() || array.dataType() == DataType.UTF8
                || buffer.originalDataBuffer() != null || keptBuffers.contains(buffer)) {
            return;
        }
        if (Nd4j.getExecutioner().useCount(buffer) > 1) {
            // Another live array shares this buffer: it is not ours to reuse.
            return;
        }
        Size size = new Size(array.dataType(), buffer.length());
        if (size.bytes() > budgetBytes) {
            if (array.closeable()) {
                array.close();
            }
            return;
        }
        Kept kept = new Kept(buffer, size);
        free.computeIfAbsent(size, s -> new ArrayDeque<>()).push(kept);
        released.add(kept);
        keptBuffers.add(buffer);
        freeBytes += size.bytes();
        evictBeyond(budgetBytes);
    }

    /** Frees every kept buffer (between generations, or before a phase that needs the memory elsewhere). */
    public synchronized void trim() {
        evictBeyond(0);
    }

    public synchronized long keptBytes() {
        return freeBytes;
    }

    @Override
    public void close() {
        trim();
    }

    private DataBuffer take(Size size) {
        ArrayDeque<Kept> list = free.get(size);
        if (list == null || list.isEmpty()) {
            return null;
        }
        Kept kept = list.pop();
        released.remove(kept);
        keptBuffers.remove(kept.buffer);
        freeBytes -= size.bytes();
        return kept.buffer;
    }

    private void evictBeyond(long limit) {
        Iterator<Kept> oldest = released.iterator();
        while (freeBytes > limit && oldest.hasNext()) {
            Kept kept = oldest.next();
            oldest.remove();
            free.get(kept.size).remove(kept);
            keptBuffers.remove(kept.buffer);
            freeBytes -= kept.size.bytes();
            kept.buffer.close();
        }
    }
}
