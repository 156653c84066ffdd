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
 * Decoding a large latent in overlapping square tiles (the web UIs' tiled VAE, diffusers' {@code enable_tiling}),
 * so that the decoder's activations — 134 MB per 128-channel map at 512² pixels, a gigabyte and more alive at
 * once — are those of one tile whatever the image size. Every tile has the same size (the last of a row or
 * column is moved back to end at the border), so one decoder graph serves them all. Where tiles overlap, each
 * pixel is the average of the tiles covering it, weighted by a ramp that falls to zero toward each tile's inner
 * edges: no seams, though each tile's group norms see only that tile, so the result differs slightly from an
 * untiled decode (measured in the tests).
 */
final class TiledDecode {
    private TiledDecode() {
    }

    /**
     * @param decodeTile decodes a latent [batch, c, tile, tile] to [batch, 3, tile·scale, tile·scale]
     * @param tile       latent pixels per tile side; @param overlap latent pixels shared by neighbouring tiles
     */
    static INDArray decode(INDArray latent, int scale, long tile, long overlap, UnaryOperator<INDArray> decodeTile) {
        long batch = latent.size(0);
        long h = latent.size(2);
        long w = latent.size(3);
        INDArray sum = Nd4j.zeros(DataType.FLOAT, batch, 3, h * scale, w * scale);
        INDArray weights = Nd4j.zeros(DataType.FLOAT, 1, 1, h * scale, w * scale);
        for (long top : starts(h, tile, overlap)) {
            for (long left : starts(w, tile, overlap)) {
                long th = Math.min(tile, h);
                long tw = Math.min(tile, w);
                INDArray part = latent.get(NDArrayIndex.all(), NDArrayIndex.all(),
                        NDArrayIndex.interval(top, top + th), NDArrayIndex.interval(left, left + tw)).dup('c');
                INDArray decoded = decodeTile.apply(part);
                INDArray ramp = ramp(th * scale, tw * scale, overlap * scale, top > 0, top + th < h, left > 0, left + tw < w);
                INDArrayIndex[] region = {NDArrayIndex.all(), NDArrayIndex.all(),
                        NDArrayIndex.interval(top * scale, (top + th) * scale), NDArrayIndex.interval(left * scale, (left + tw) * scale)};
                sum.get(region).addi(decoded.muli(ramp.broadcast(decoded.shape())));
                weights.get(region).addi(ramp);
                decoded.close();
            }
        }
        return sum.divi(weights.broadcast(sum.shape()));
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
