package diffusionj.nn;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class WeightStoreTest {

    /** Weights held permuted or reshaped for speed are saved back in the checkpoint's own layout. */
    @Test
    void stateDictRestoresTheCheckpointLayout() {
        INDArray conv = Nd4j.rand(DataType.FLOAT, 4, 3, 3, 3);
        INDArray wide = Nd4j.rand(DataType.FLOAT, 2, 5, 3, 3);
        INDArray bias = Nd4j.rand(DataType.FLOAT, 4);
        Map<String, INDArray> stored = Map.of("conv.weight", conv, "wide.weight", wide, "conv.bias", bias);
        WeightStore store = new WeightStore((key, shape) -> stored.get(key).dup());
        store.getPermuted("conv.weight", new long[]{4, 3, 3, 3}, 2, 3, 1, 0);
        store.getReshaped("wide.weight", new long[]{2, 5, 3, 3}, 2, 45);
        store.get("conv.bias", 4);
        Map<String, INDArray> out = store.stateDict();
        assertEquals(stored.keySet(), out.keySet());
        stored.forEach((key, expected) -> assertEquals(expected, out.get(key), key));
    }
}
