package diffusionj.nn;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.indexer.FloatIndexer;
import org.nd4j.autodiff.samediff.internal.memory.AbstractMemoryMgr;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The memory every graph's intermediate float arrays come from: a few large slabs, carved best fit into the
 * arrays of the op that runs and given back, merged with their free neighbours, when SameDiff releases them.
 * An activation, a widened weight or an attention chunk reuses whatever range a finished one left, whatever its
 * shape, so after the first call almost nothing touches fresh pages — writing those costs a fault and a clearing
 * each (0.57 GB/s on this machine class against 25 GB/s for pages already touched) — and the slabs' resident
 * size is what the graph holds at once plus fragmentation, not a budget. Slab pages become resident only when
 * first written. Everything a call leased is returned when the call ends ({@link #endCall}), so an array that
 * SameDiff never releases cannot leak its range; results that leave the call are copied out first
 * ({@link #detach}). Small and non-float arrays come from the allocator as usual: glibc reuses their pages.
 */
public final class ArrayArena extends AbstractMemoryMgr {
    /** Arrays below this come from malloc's heaps, whose freed pages glibc reuses without faults. */
    static final long SMALLEST_BYTES = 256 << 10;
    private static final long ALIGNMENT = 64;

    private final long slabBytes;
    private final boolean checking;
    private final long smallestBytes;
    private final List<Slab> slabs = new ArrayList<>();
    private final Map<DataBuffer, Lease> leases = new IdentityHashMap<>();

    private record Lease(Slab slab, long offset, long bytes, long thread) {
    }

    /** One allocation of {@code bytes}, with its free ranges (offset → length), kept merged. */
    private static final class Slab {
        final BytePointer memory;
        final long bytes;
        final TreeMap<Long, Long> free = new TreeMap<>();
        long leased;

        Slab(long bytes) {
            // JavaCPP counts it against maxbytes and maxphysicalbytes and throws OutOfMemoryError beyond them.
            this.memory = new BytePointer(bytes);
            this.bytes = bytes;
            free.put(0L, bytes);
        }

        /** @return the offset of the smallest free range that holds {@code n} bytes, taken; -1 if none does */
        long take(long n) {
            long offset = -1;
            long length = Long.MAX_VALUE;
            for (Map.Entry<Long, Long> range : free.entrySet()) {
                if (range.getValue() >= n && range.getValue() < length) {
                    offset = range.getKey();
                    length = range.getValue();
                }
            }
            if (offset < 0) {
                return -1;
            }
            free.remove(offset);
            if (length > n) {
                free.put(offset + n, length - n);
            }
            leased += n;
            return offset;
        }

        void give(long offset, long n) {
            leased -= n;
            long start = offset;
            long length = n;
            Map.Entry<Long, Long> before = free.lowerEntry(offset);
            if (before != null && before.getKey() + before.getValue() == offset) {
                start = before.getKey();
                length += before.getValue();
                free.remove(before.getKey());
            }
            Long after = free.get(offset + n);
            if (after != null) {
                length += after;
                free.remove(offset + n);
            }
            free.put(start, length);
        }

        boolean holds(long address) {
            return address >= memory.address() && address < memory.address() + bytes;
        }
    }

    /**
     * @param slabBytes the size of each slab; an array larger than this gets a slab of its own size
     * @param checking  for tests: every float array, however small, comes from the arena and starts as NaN, so an
     *                  op that reads its output before writing it, or an array used after its release, shows in
     *                  the results
     */
    public ArrayArena(long slabBytes, boolean checking) {
        this.slabBytes = slabBytes;
        this.checking = checking;
        this.smallestBytes = checking ? 0 : SMALLEST_BYTES;
    }

    @Override
    public INDArray allocate(boolean detached, DataType dataType, long... shape) {
        return allocate(dataType, shape, 'c');
    }

    @Override
    public INDArray allocate(boolean detached, LongShapeDescriptor descriptor) {
        if (descriptor.isEmpty()) {
            return Nd4j.create(descriptor);
        }
        return allocate(descriptor.dataType(), descriptor.getShape(), descriptor.getOrder());
    }

    private synchronized INDArray allocate(DataType type, long[] shape, char order) {
        long length = 1;
        for (long s : shape) {
            length *= s;
        }
        if (type != DataType.FLOAT || shape.length == 0 || length * 4 < smallestBytes) {
            return Nd4j.createUninitializedDetached(type, order, shape);
        }
        long bytes = (length * 4 + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        Lease lease = lease(bytes);
        FloatPointer pointer = new FloatPointer(lease.slab.memory.getPointer(lease.offset)).capacity(length).limit(length);
        DataBuffer buffer = Nd4j.createBuffer(pointer, DataType.FLOAT, length, FloatIndexer.create(pointer));
        leases.put(buffer, lease);
        if (checking) {
            Pointer.memset(pointer, 0xff, length * 4);
        }
        return Nd4j.create(buffer, shape, Nd4j.getStrides(shape, order), 0, order, DataType.FLOAT);
    }

    private Lease lease(long bytes) {
        long thread = Thread.currentThread().getId();
        for (Slab slab : slabs) {
            long offset = slab.take(bytes);
            if (offset >= 0) {
                return new Lease(slab, offset, bytes, thread);
            }
        }
        Slab slab = new Slab(Math.max(bytes, slabBytes));
        slabs.add(slab);
        return new Lease(slab, slab.take(bytes), bytes, thread);
    }

    @Override
    public synchronized void release(INDArray array) {
        DataBuffer buffer = array.data();
        if (buffer == null || array.isView() || array.isEmpty() || buffer.originalDataBuffer() != null) {
            return;
        }
        Lease lease = leases.get(buffer);
        if (lease != null) {
            if (Nd4j.getExecutioner().useCount(buffer) <= 1) {
                // Otherwise another live array shares this buffer: the range goes back when the call ends.
                leases.remove(buffer);
                lease.slab.give(lease.offset, lease.bytes);
            }
        } else if (!inSlab(buffer) && !array.wasClosed() && array.closeable() && array.dataType() != DataType.UTF8
                && Nd4j.getExecutioner().useCount(buffer) <= 1) {
            // From the allocator: freed now rather than when the garbage collector finds it.
            array.close();
        }
    }

    /**
     * Copies out every array of {@code results} that lies in the arena, so that it outlives the call: the
     * results of a graph call are its only arrays still in use when {@link #endCall} returns their ranges.
     */
    public synchronized Map<String, INDArray> detach(Map<String, INDArray> results) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : results.entrySet()) {
            INDArray a = e.getValue();
            out.put(e.getKey(), a != null && a.data() != null && inSlab(a.data()) ? a.dup() : a);
        }
        return out;
    }

    /** Returns every range the calling thread leased: its graph call is over, nothing of it is in use. */
    public synchronized void endCall() {
        long thread = Thread.currentThread().getId();
        Iterator<Lease> it = leases.values().iterator();
        while (it.hasNext()) {
            Lease lease = it.next();
            if (lease.thread == thread) {
                lease.slab.give(lease.offset, lease.bytes);
                it.remove();
            }
        }
    }

    /** Frees every slab with nothing leased (after a generation, or before a phase that needs the memory). */
    public synchronized void trim() {
        Iterator<Slab> it = slabs.iterator();
        while (it.hasNext()) {
            Slab slab = it.next();
            if (slab.leased == 0) {
                slab.memory.close();
                it.remove();
            }
        }
    }

    /** @return bytes of slab memory held, leased or free */
    public synchronized long heldBytes() {
        long sum = 0;
        for (Slab slab : slabs) {
            sum += slab.bytes;
        }
        return sum;
    }

    /** @return bytes leased to arrays now */
    public synchronized long leasedBytes() {
        long sum = 0;
        for (Slab slab : slabs) {
            sum += slab.leased;
        }
        return sum;
    }

    private boolean inSlab(DataBuffer buffer) {
        long address = buffer.address();
        for (Slab slab : slabs) {
            if (slab.holds(address)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        trim();
    }
}
