package diffusionj.nn;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Released ranges serve the next arrays whatever their shape, merge with their neighbours, and all return at a call's end. */
class ArrayArenaTest {
    private static final long MIB = 1 << 20;
    private final ArrayArena arena = new ArrayArena(8 * MIB, false);

    @AfterEach
    void freeSlabs() {
        arena.endCall();
        arena.trim();
    }

    @Test
    void aReleasedRangeServesTheNextArrayOfAnyShapeThatFits() {
        INDArray first = arena.allocate(false, DataType.FLOAT, 512, 1024);   // 2 MiB
        first.assign(3);
        long address = first.data().address();
        arena.release(first);
        INDArray smaller = arena.allocate(false, DataType.FLOAT, 3, 100, 1000);   // 1.14 MiB, another shape
        assertEquals(address, smaller.data().address());
        assertEquals(3f, smaller.getFloat(0, 0, 0), "uninitialised: the old contents are still there");
        assertEquals(8 * MIB, arena.heldBytes());
    }

    @Test
    void neighbouringReleasedRangesMergeIntoOneThatALargerArrayFits() {
        INDArray a = arena.allocate(false, DataType.FLOAT, 1024, 1024);   // 4 MiB
        INDArray b = arena.allocate(false, DataType.FLOAT, 512, 1024);    // 2 MiB
        INDArray c = arena.allocate(false, DataType.FLOAT, 512, 1024);    // 2 MiB: the slab is full
        arena.release(a);
        arena.release(b);
        INDArray large = arena.allocate(false, DataType.FLOAT, 1536, 1024);   // 6 MiB: only a+b merged hold it
        assertEquals(a.data().address(), large.data().address());
        assertEquals(8 * MIB, arena.heldBytes(), "no second slab");
        assertEquals(8 * MIB, arena.leasedBytes());
        assertNotEquals(0, c.data().address());
    }

    /** Many free ranges of many sizes, as a UNet call leaves them: no two live arrays may ever share memory. */
    @Test
    void liveArraysNeverOverlapHoweverFragmentedTheFreeRangesAre() {
        java.util.Random random = new java.util.Random(5);
        java.util.List<INDArray> live = new java.util.ArrayList<>();
        for (int round = 0; round < 400; round++) {
            if (!live.isEmpty() && random.nextInt(3) == 0) {
                arena.release(live.remove(random.nextInt(live.size())));
            } else {
                live.add(arena.allocate(false, DataType.FLOAT, 64 * (1 + random.nextInt(64)), 1024));
            }
            java.util.List<INDArray> byAddress = new java.util.ArrayList<>(live);
            byAddress.sort(java.util.Comparator.comparingLong(a -> a.data().address()));
            for (int i = 1; i < byAddress.size(); i++) {
                INDArray before = byAddress.get(i - 1);
                assertTrue(before.data().address() + before.length() * 4 <= byAddress.get(i).data().address(), "overlap in round " + round);
            }
        }
    }

    @Test
    void anArrayLargerThanASlabGetsASlabOfItsOwnAndSmallOrIntegerArraysStayOutside() {
        arena.allocate(false, DataType.FLOAT, 3, 1024, 1024);   // 12 MiB
        assertEquals(12 * MIB, arena.heldBytes());
        arena.allocate(false, DataType.FLOAT, 16, 16);
        arena.allocate(false, DataType.INT64, 1024, 1024);
        assertEquals(12 * MIB, arena.heldBytes());
    }

    @Test
    void theEndOfACallReturnsEverythingAndDetachedResultsOutliveIt() {
        INDArray kept = arena.allocate(false, DataType.FLOAT, 512, 1024);
        kept.assign(7);
        arena.allocate(false, DataType.FLOAT, 512, 1024);   // never released, as SameDiff sometimes leaves them
        INDArray result = arena.detach(Map.of("out", kept)).get("out");
        arena.endCall();
        assertEquals(0, arena.leasedBytes());
        arena.allocate(false, DataType.FLOAT, 1024, 1024).assign(-1);   // reuses the results' old range
        assertEquals(7f, result.getFloat(511, 1023));
        assertTrue(result.equalsWithEps(Nd4j.valueArrayOf(new long[]{512, 1024}, 7f), 0));
        arena.endCall();
        arena.trim();
        assertEquals(0, arena.heldBytes());
    }
}
