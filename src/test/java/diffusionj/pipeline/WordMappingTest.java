package diffusionj.pipeline;

import diffusionj.attention.TokenMaps;
import diffusionj.io.ExtraNetworkFolders;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Word maps of an image the model did not make, on the tiny SD 1.x model: sizes, determinism, the calls made, refusals. */
class WordMappingTest extends TinyModelTest {
    private static INDArray picture;

    @BeforeAll
    static void picture() {
        Nd4j.getRandom().setSeed(3);
        picture = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, 3, 45, 70).muli(2).subi(1); // not multiples of 8
    }

    private static TokenMaps map(WordMapSettings s, ProgressListener progress) {
        return new WordMapping(model, ExtraNetworkFolders.NONE).map(picture, s, progress, () -> false);
    }

    private static WordMapSettings settings(int[] timesteps, int draws, int steps, double cfg, long seed) {
        return new WordMapSettings("a red circle", "", timesteps, draws, steps, cfg, seed, 1);
    }

    @Test
    void mapsComeBackAtTheImagesExactSizeOneForEachWord() {
        TokenMaps maps = map(WordMapSettings.of("a red circle"), ProgressListener.NONE);
        assertEquals(45, maps.imageHeight());
        assertEquals(70, maps.imageWidth());
        List<TokenMaps.LabelledMap> words = maps.wordMaps();
        assertEquals(List.of("a", "red", "circle"), words.stream().map(TokenMaps.LabelledMap::label).toList());
        for (TokenMaps.LabelledMap w : words) {
            assertArrayEquals(new long[]{45, 70}, w.map().shape());
            assertEquals(0, w.map().minNumber().doubleValue(), 1e-6, "min-max normalised");
            assertEquals(1, w.map().maxNumber().doubleValue(), 1e-6);
        }
    }

    @Test
    void aSeedDeterminesTheMapsAndAnotherSeedChangesThem() {
        WordMapSettings s = settings(new int[]{300}, 1, 1, 1, 7);
        INDArray first = map(s, ProgressListener.NONE).latentMaps();
        assertEquals(first, map(s, ProgressListener.NONE).latentMaps());
        assertFalse(first.equalsWithEps(map(s.withSeed(8), ProgressListener.NONE).latentMaps(), 1e-6));
    }

    @Test
    void everyDrawTimestepAndStepIsOneUNetCall() {
        AtomicInteger total = new AtomicInteger();
        AtomicInteger calls = new AtomicInteger();
        ProgressListener count = new ProgressListener() {
            @Override
            public void step(int done, int t, double seconds) {
                calls.incrementAndGet();
                total.set(t);
            }
        };
        map(settings(new int[]{200, 500}, 3, 2, 1, 0), count);
        assertEquals(12, calls.get());
        assertEquals(12, total.get());
    }

    @Test
    void guidanceChangesTheMapsOnlyFromTheSecondStepOn() {
        INDArray plain = map(settings(new int[]{600}, 1, 1, 1, 0), ProgressListener.NONE).latentMaps();
        INDArray guidedOneStep = map(settings(new int[]{600}, 1, 1, 7.5, 0), ProgressListener.NONE).latentMaps();
        assertTrue(plain.equalsWithEps(guidedOneStep, 1e-5), "the prompt's attention at the first call does not depend on the negative half");
        INDArray plainTwo = map(settings(new int[]{600}, 1, 2, 1, 0), ProgressListener.NONE).latentMaps();
        INDArray guidedTwo = map(settings(new int[]{600}, 1, 2, 7.5, 0), ProgressListener.NONE).latentMaps();
        assertFalse(plainTwo.equalsWithEps(guidedTwo, 1e-6));
    }

    @Test
    void stepsFromATimestepAreSpacedEvenlyTowardsZero() {
        int[] t = new int[4];
        for (int k = 0; k < 4; k++) {
            t[k] = WordMapping.stepTimestep(600, k, 4);
        }
        assertArrayEquals(new int[]{600, 450, 300, 150}, t);
    }

    @Test
    void badSettingsAreRefusedWithWhatIsAllowed() {
        assertTrue(assertThrows(GenerationException.class, () -> map(settings(new int[]{1000}, 1, 1, 1, 0), ProgressListener.NONE))
                .getMessage().contains("between 1 and 999"));
        assertTrue(assertThrows(GenerationException.class, () -> map(settings(new int[]{200}, 0, 1, 1, 0), ProgressListener.NONE))
                .getMessage().contains("noise draws must be between 1 and 32"));
        assertTrue(assertThrows(GenerationException.class, () -> map(WordMapSettings.of(" "), ProgressListener.NONE))
                .getMessage().contains("prompt is empty"));
        assertTrue(assertThrows(GenerationException.class, () -> WordMapSettings.parseTimesteps("200;400")).getMessage().contains("'200;400'"));
    }

    @Test
    void workingSizeKeepsTheAspectAtTheModelsArea() {
        assertArrayEquals(new int[]{512, 512}, WordMapping.workingSize(1000, 1000, 512));
        assertArrayEquals(new int[]{360, 728}, WordMapping.workingSize(1000, 2000, 512));
        assertArrayEquals(new int[]{64, 80}, WordMapping.workingSize(45, 70, 64));
    }
}
