package diffusionj.nn;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import diffusionj.Parity;

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

    /**
     * A replaced weight is used by graphs built before and after the replacement, in float32 and in float16
     * (widened in the graph), and a hundred switches later the graph computes exactly what it computed first.
     */
    @Test
    void overriddenWeightsReachEveryGraphAndSwitchingBackIsExact() {
        for (DataType type : new DataType[]{DataType.FLOAT, DataType.HALF}) {
            Map<String, INDArray> file = Map.of("fc.weight", Nd4j.rand(DataType.FLOAT, 3, 5).castTo(type),
                    "fc.bias", Nd4j.rand(DataType.FLOAT, 3).castTo(type));
            WeightStore store = WeightStore.inPlace((key, shape) -> file.get(key));
            INDArray x = Nd4j.rand(DataType.FLOAT, 2, 5);
            SameDiff before = linearGraph(store);
            INDArray base = run(before, x);
            INDArray merged = file.get("fc.weight").castTo(DataType.FLOAT).add(0.25).castTo(type);
            INDArray expected = x.mmul(merged.castTo(DataType.FLOAT).transpose()).addiRowVector(file.get("fc.bias").castTo(DataType.FLOAT));
            for (int i = 0; i < 100; i++) {
                store.override(Map.of("fc.weight", merged));
                Parity.assertClose(expected, run(before, x), 1e-5, type + " graph built before");
                Parity.assertClose(expected, run(linearGraph(store), x), 1e-5, type + " graph built after");
                store.override(Map.of());
                assertEquals(base, run(before, x), type + " after switch " + i);
            }
            assertEquals(base, run(linearGraph(store), x), type + " graph built after switching back");
        }
    }

    private static SameDiff linearGraph(WeightStore store) {
        SameDiff sd = GraphRunner.newGraph();
        GraphWeights w = new GraphWeights(sd, store);
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 5);
        sd.identity("y", Linear.apply(w, "fc", x, 5, 3));
        return sd;
    }

    private static INDArray run(SameDiff sd, INDArray x) {
        return GraphRunner.output(sd, Map.of("x", x), "y").get("y");
    }
}
