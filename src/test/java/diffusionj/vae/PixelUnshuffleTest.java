package diffusionj.vae;

import diffusionj.io.CheckpointException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PixelUnshuffleTest {

    @Test
    void channelsFollowPyTorchsPixelUnshuffleOrder() {
        INDArray image = Nd4j.arange(2 * 3 * 4 * 6).castTo(DataType.FLOAT).reshape(2, 3, 4, 6);
        INDArray latent = new PixelUnshuffle(2).encode(image);
        assertEquals(java.util.List.of(2L, 12L, 2L, 3L), java.util.Arrays.stream(latent.shape()).boxed().toList());
        // channel c·4 + dy·2 + dx of latent pixel (y, x) is image pixel (2y + dy, 2x + dx) of channel c
        for (int c = 0; c < 3; c++) {
            for (int dy = 0; dy < 2; dy++) {
                for (int dx = 0; dx < 2; dx++) {
                    assertEquals(image.getFloat(1, c, 2 + dy, 4 + dx), latent.getFloat(1, c * 4 + dy * 2 + dx, 1, 2));
                }
            }
        }
    }

    @Test
    void decodeInvertsEncodeExactly() {
        INDArray image = Nd4j.rand(DataType.FLOAT, 1, 3, 8, 8);
        PixelUnshuffle codec = new PixelUnshuffle(2);
        assertEquals(image, codec.decode(codec.encode(image)));
    }

    @Test
    void sizesThatAreNotMultiplesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new PixelUnshuffle(2).encode(Nd4j.zeros(DataType.FLOAT, 1, 3, 5, 4)));
        assertThrows(CheckpointException.class, () -> new PixelUnshuffle(0));
    }
}
