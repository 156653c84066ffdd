package diffusionj.nn;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The spread-then-multiply product gives the direct broadcasting product's values and gradients exactly. */
class BroadcastTest {
    private static final long[] SHAPE = {3, 8, 5, 5};

    @Test
    void valuesAndGradientsEqualTheDirectProduct() {
        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.randn(DataType.FLOAT, SHAPE);
        INDArray gamma = Nd4j.randn(DataType.FLOAT, SHAPE[1]);
        INDArray weights = Nd4j.randn(DataType.FLOAT, SHAPE);
        Map<String, INDArray> direct = run(false, x, gamma, weights);
        Map<String, INDArray> spread = run(true, x, gamma, weights);
        for (String name : new String[]{"loss", "x", "gamma"}) {
            assertEquals(direct.get(name), spread.get(name), name);
        }
    }

    /** loss = Σ r·(x·γ) + ½ Σ (x/σ_group)²: a per-channel and a per-group product, as in a group norm. */
    private static Map<String, INDArray> run(boolean spread, INDArray xa, INDArray gammaa, INDArray weights) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", xa.dup());
        SDVariable gamma = sd.var("gamma", gammaa.dup()).reshape(1, SHAPE[1], 1, 1);
        SDVariable scaled = spread ? Broadcast.multiply(sd, x, gamma) : x.mul(gamma);
        SDVariable grouped = x.reshape(-1, 2, SHAPE[1] / 2 * SHAPE[2] * SHAPE[3]);
        SDVariable inverse = sd.math.rsqrt(grouped.mul(grouped).mean(true, 2).add(1e-5));
        SDVariable normed = spread ? Broadcast.multiply(sd, grouped, inverse) : grouped.mul(inverse);
        scaled.mul(sd.constant(weights)).sum().add(normed.mul(normed).mul(0.5).sum()).rename("loss");
        sd.setLossVariables("loss");
        var result = sd.calculateGradientsAndOutputs(Map.of(), List.of("loss"), List.of("x", "gamma"));
        Map<String, INDArray> out = new HashMap<>(result.getGradients());
        out.put("loss", result.getOutputs().get("loss"));
        return out;
    }
}
