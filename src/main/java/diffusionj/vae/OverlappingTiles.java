package diffusionj.vae;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The autoencoder applied to a large input in overlapping square tiles (the web UIs' tiled VAE, diffusers'
 * {@code enable_tiling}), so that its activations — 134 MB per 128-channel map at 512² pixels, a gigabyte and more
 * alive at once — are those of one tile whatever the image size: decoding latents (output {@code ×8}) and encoding
 * images (output {@code ÷8}) alike. Every tile has the same size (the last of a row or column is moved back to end
 * at the border), so one graph serves them all. Where tiles overlap, each output pixel is the average of the tiles
 * covering it, weighted by a ramp that falls toward each tile's inner edges: no seams, though each tile's group
 * norms see only that tile, so the result differs slightly from an untiled pass (measured in the tests).
 */
final class OverlappingTiles {
    private OverlappingTiles() {
    }

    /**
     * @param input   [batch, c, h, w]; @param tile input pixels per tile side; @param overlap input pixels shared by
     *                neighbouring tiles; the output is {@code up/down} times the input's size
     * @param perTile maps an input tile [batch, c, tile, tile] to [batch, c', tile·up/down, tile·up/down]
     */
    static INDArray apply(INDArray input, long tile, long overlap, int up, int down, UnaryOperator<INDArray> perTile) {
        long batch = input.size(0);
        long h = input.size(2);
        long w = input.size(3);
        INDArray sum = null;
        INDArray weights = Nd4j.zeros(DataType.FLOAT, 1, 1, h * up / down, w * up / down);
        for (long top : starts(h, tile, overlap)) {
            for (long left : starts(w, tile, overlap)) {
                long th = Math.min(tile, h);
                long tw = Math.min(tile, w);
                INDArray part = input.get(NDArrayIndex.all(), NDArrayIndex.all(),
                        NDArrayIndex.interval(top, top + th), NDArrayIndex.interval(left, left + tw)).dup('c');
                INDArray out = perTile.apply(part);
                part.close();
                if (sum == null) {
                    sum = Nd4j.zeros(DataType.FLOAT, batch, out.size(1), h * up / down, w * up / down);
                }
                INDArray ramp = ramp(th * up / down, tw * up / down, overlap * up / down, top > 0, top + th < h, left > 0, left + tw < w);
                INDArrayIndex[] region = {NDArrayIndex.all(), NDArrayIndex.all(),
                        NDArrayIndex.interval(top * up / down, (top + th) * up / down),
                        NDArrayIndex.interval(left * up / down, (left + tw) * up / down)};
                // Temporaries are closed at once: off the Java heap, they would otherwise wait for the collector,
                // and a 2048² decode makes 25 tiles' worth of them.
                INDArray weighted = ramp.broadcast(out.shape());
                sum.get(region).addi(out.muli(weighted));
                weights.get(region).addi(ramp);
                weighted.close();
                out.close();
            }
        }
        // Channel by channel, so that the weights are not broadcast into a second image-sized array.
        INDArray plane = weights.reshape(weights.size(2), weights.size(3));
        for (long b = 0; b < sum.size(0); b++) {
            for (long c = 0; c < sum.size(1); c++) {
                sum.get(NDArrayIndex.point(b), NDArrayIndex.point(c), NDArrayIndex.all(), NDArrayIndex.all()).divi(plane);
            }
        }
        weights.close();
        return sum;
    }

    /** Tile origins along one side: every {@code tile − overlap}, the last moved back to end at the border. */
    static List<Long> starts(long length, long tile, long overlap) {
        List<Long> starts = new ArrayList<>();
        if (length <= tile) {
            starts.add(0L);
            return starts;
        }
        long stride = tile - overlap;
        for (long s = 0; ; s += stride) {
            if (s + tile >= length) {
                starts.add(length - tile);
                return starts;
            }
            starts.add(s);
        }
    }

    /**
     * A tile's blending weight [1, 1, h, w]: 1 inside, rising linearly from near 0 across {@code fade} pixels at
     * each edge that borders another tile; edges on the image border keep full weight.
     */
    private static INDArray ramp(long h, long w, long fade, boolean fadeTop, boolean fadeBottom, boolean fadeLeft, boolean fadeRight) {
        float[] rows = profile(h, fade, fadeTop, fadeBottom);
        float[] cols = profile(w, fade, fadeLeft, fadeRight);
        INDArray column = Nd4j.createFromArray(rows).reshape(1, 1, h, 1);
        INDArray row = Nd4j.createFromArray(cols).reshape(1, 1, 1, w);
        return column.mul(row);
    }

    private static float[] profile(long n, long fade, boolean fadeStart, boolean fadeEnd) {
        float[] p = new float[(int) n];
        for (int i = 0; i < n; i++) {
            float v = 1;
            if (fadeStart) {
                v = Math.min(v, (i + 0.5f) / fade);
            }
            if (fadeEnd) {
                v = Math.min(v, (n - i - 0.5f) / fade);
            }
            p[i] = v;
        }
        return p;
    }
}
