package diffusionj.pipeline;

import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.IntArray;
import net.imglib2.type.numeric.ARGBType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Rint;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Decoded images [batch, 3, H, W] in [−1, 1] → 8-bit RGB as diffusers rounds them: round(clamp(x/2 + ½) · 255). */
public final class Images {
    private Images() {
    }

    /** [batch, 3, H, W] of 0…255 levels (half-way values round to even, as numpy does). */
    public static INDArray toLevels(INDArray decoded) {
        INDArray unit = Transforms.min(Transforms.max(decoded.div(2).addi(0.5), 0.0, false), 1.0, false);
        return Nd4j.exec(new Rint(unit.muli(255)));
    }

    public static ArrayImg<ARGBType, IntArray> toArgb(INDArray levels, int image) {
        int h = (int) levels.size(2);
        int w = (int) levels.size(3);
        float[] r = channel(levels, image, 0);
        float[] g = channel(levels, image, 1);
        float[] b = channel(levels, image, 2);
        int[] argb = new int[h * w];
        for (int i = 0; i < argb.length; i++) {
            argb[i] = ARGBType.rgba((int) r[i], (int) g[i], (int) b[i], 255);
        }
        return ArrayImgs.argbs(argb, w, h);
    }

    private static float[] channel(INDArray levels, int image, int c) {
        return levels.get(NDArrayIndex.point(image), NDArrayIndex.point(c), NDArrayIndex.all(), NDArrayIndex.all()).dup('c').data().asFloat();
    }
}
