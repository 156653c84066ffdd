package diffusionj.vae;

import diffusionj.Fixtures;
import diffusionj.io.Checkpoint;
import diffusionj.io.Checkpoints;
import diffusionj.io.Component;
import diffusionj.io.PngFiles;
import diffusionj.nn.WeightStore;
import diffusionj.pipeline.Images;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Large latents are decoded, and large images encoded, in overlapping tiles: exact below the tiling size, seamless above it. */
class OverlappingTilesTest {

    @Test
    void tilesCoverEachSideWithTheLastMovedBackToTheBorder() {
        assertEquals(List.of(0L), OverlappingTiles.starts(40, 40, 16));
        assertEquals(List.of(0L, 24L), OverlappingTiles.starts(64, 40, 16));
        assertEquals(List.of(0L, 24L, 48L, 60L), OverlappingTiles.starts(100, 40, 16));
    }

    @Test
    void belowTheTilingSizeTheDecodeIsTheWholeOne() {
        AutoencoderKL vae = vae();
        INDArray latent = Nd4j.randn(DataType.FLOAT, 1, 4, AutoencoderKL.TILE, AutoencoderKL.TILE).muli(0.5);
        assertEquals(vae.decodeWhole(latent), vae.decode(latent));
    }

    /**
     * A smooth latent 80 pixels a side (four 64² tiles overlapping by 48). Each tile's group norms see only the
     * tile, so values differ: on the random-weight sd1-tiny decoder (outputs with std 0.45, range −6.9…5.0) the
     * mean |tiled − whole| is 0.065 and the largest 2.6, at the extremes; the pictures (written to
     * target/tiled-decode/ to be looked at) show the same structures and no grid. Asserted: the mean difference
     * stays under a quarter of the image's spread, and the tile borders leave no step — the difference between
     * neighbouring pixel columns at a border is like that of the columns around it.
     */
    @Test
    void aboveItTheTiledDecodeMatchesTheWholeOneWithoutSeams() {
        AutoencoderKL vae = vae();
        long side = AutoencoderKL.TILE + 16;
        Nd4j.getRandom().setSeed(7);
        INDArray coarse = Nd4j.randn(DataType.FLOAT, 1, 4, 8, 8);
        INDArray latent = Nd4j.zeros(DataType.FLOAT, 1, 4, side, side);
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                for (int c = 0; c < 4; c++) {
                    latent.putScalar(new long[]{0, c, y, x}, coarse.getDouble(0, c, y * 8 / side, x * 8 / side) * 0.8);
                }
            }
        }
        INDArray whole = vae.decodeWhole(latent);
        INDArray tiled = vae.decode(latent);
        INDArray diff = Transforms.abs(tiled.sub(whole));
        System.out.printf("tiled vs whole decode, %d² latent: max |diff| %.4f, mean %.5f; whole: std %.4f, range %.3f..%.3f%n", side,
                diff.maxNumber().doubleValue(), diff.meanNumber().doubleValue(), whole.stdNumber().doubleValue(),
                whole.minNumber().doubleValue(), whole.maxNumber().doubleValue());
        PngFiles.write(Path.of("target/tiled-decode/tiled.png"), picture(tiled), Map.of());
        PngFiles.write(Path.of("target/tiled-decode/whole.png"), picture(whole), Map.of());
        double spread = whole.stdNumber().doubleValue();
        assertTrue(diff.meanNumber().doubleValue() < 0.25 * spread, "mean difference " + diff.meanNumber() + ", image std " + spread);
        int scale = vae.downscale();
        for (long border : new long[]{(side - AutoencoderKL.TILE) * scale, AutoencoderKL.TILE * scale}) {
            double around = 0;
            for (long x = border - 12; x <= border + 12; x++) {
                around += x == border ? 0 : columnStep(tiled, x) / 24;
            }
            double step = columnStep(tiled, border);
            assertTrue(step <= 1.5 * around, "a seam at column " + border + ": step " + step + " against " + around + " around it");
        }
    }

    /**
     * Encoding: a 512² image is encoded whole; a smooth 640² one in four 512² tiles, its latent within a quarter of
     * the latent's spread of the whole encode on average (the same group-norm caveat as decoding; measured on the
     * random-weight sd1-tiny encoder: mean |diff| 0.054, latent std 0.41).
     */
    @Test
    void largeImagesAreEncodedInTilesCloseToTheWholeEncode() {
        AutoencoderKL vae = vae();
        long tile = AutoencoderKL.TILE * vae.downscale();
        INDArray small = Nd4j.rand(DataType.FLOAT, 1, 3, tile, tile).muli(2).subi(1);
        assertEquals(vae.encodeWhole(small), vae.encode(small));
        Nd4j.getRandom().setSeed(11);
        INDArray coarse = Nd4j.rand(DataType.FLOAT, 1, 3, 4, 4).muli(2).subi(1);
        long side = (AutoencoderKL.TILE + 16) * vae.downscale();
        INDArray image = Nd4j.zeros(DataType.FLOAT, 1, 3, side, side);
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                for (int c = 0; c < 3; c++) {
                    image.putScalar(new long[]{0, c, y, x}, coarse.getDouble(0, c, y * 4 / side, x * 4 / side));
                }
            }
        }
        INDArray whole = vae.encodeWhole(image);
        INDArray tiled = vae.encode(image);
        assertArrayEquals(whole.shape(), tiled.shape());
        double mean = Transforms.abs(tiled.sub(whole)).meanNumber().doubleValue();
        double spread = whole.stdNumber().doubleValue();
        System.out.printf("tiled vs whole encode, %d² image: mean |diff| %.5f, latent std %.4f%n", side, mean, spread);
        assertTrue(mean < 0.25 * spread, "mean difference " + mean + ", latent std " + spread);
    }

    /** Mean |pixel(x) − pixel(x − 1)| over rows and channels at column x. */
    private static double columnStep(INDArray image, long x) {
        INDArray left = image.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(x - 1));
        INDArray right = image.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(x));
        return Transforms.abs(right.sub(left)).meanNumber().doubleValue();
    }

    /** Values scaled by a quarter to show the random decoder's wide range. */
    private static BufferedImage picture(INDArray image) {
        return Images.toBufferedImage(Images.toArgb(Images.toLevels(image.div(4)), 0));
    }

    private static AutoencoderKL vae() {
        Checkpoint checkpoint = Checkpoints.open(Fixtures.path("sd1-tiny", "model"), null);
        return new AutoencoderKL(VaeConfig.fromJson(checkpoint.config(Component.VAE)), WeightStore.inPlace(checkpoint.weights(Component.VAE)));
    }
}
