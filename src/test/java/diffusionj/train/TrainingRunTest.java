package diffusionj.train;

import diffusionj.io.CheckpointException;
import diffusionj.pipeline.GenerationRequest;
import diffusionj.pipeline.GenerationResult;
import diffusionj.pipeline.Pipeline;
import diffusionj.pipeline.ProgressListener;
import diffusionj.pipeline.RunOptions;
import diffusionj.pipeline.StableDiffusion;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A few training steps on a handful of drawn scenes: the loss falls, the result loads and runs, resuming is exact. */
class TrainingRunTest {
    private static final int SIZE = 32;
    private static final int STEPS = 8;

    @TempDir
    static Path dir;
    static Path data;
    static Path full;
    static String log;

    @BeforeAll
    static void trainOnEightScenes() throws IOException {
        data = DrawnScenes.write(dir.resolve("data"), 8, SIZE, 3);
        full = dir.resolve("full");
        log = train(full, STEPS, false);
    }

    private static String train(Path out, long steps, boolean resume) {
        return train(out, steps, resume, steps);
    }

    private static String train(Path out, long steps, boolean resume, long stopAfter) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TrainingRun.run(data, out, TrainingSettings.defaults(steps, 4, SIZE, 7), 4, resume ? RunStart.resuming() : RunStart.fresh(),
                new PrintStream(bytes, true), stopAfter);
        return bytes.toString();
    }

    private static String trainFrom(Path init, Path out, long steps) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TrainingRun.run(data, out, TrainingSettings.defaults(steps, 4, SIZE, 7), 4, new RunStart(false, init, null), new PrintStream(bytes, true), steps);
        return bytes.toString();
    }

    @Test
    void theLossFalls() throws IOException {
        List<String> rows = Files.readAllLines(full.resolve("loss.csv"));
        assertEquals(STEPS + 1, rows.size(), "header and one row per step");
        double first = Double.parseDouble(rows.get(1).split(",")[1]);
        double lastTwo = (Double.parseDouble(rows.get(STEPS - 1).split(",")[1]) + Double.parseDouble(rows.get(STEPS).split(",")[1])) / 2;
        assertTrue(lastTwo < 0.9 * first, "loss should fall: first " + first + ", last two " + lastTwo + "\n" + log);
        assertTrue(Files.isRegularFile(full.resolve("samples/step-000004.png")));
        assertTrue(Files.isRegularFile(full.resolve("samples/step-000008.png")));
        assertTrue(log.lines().anyMatch(l -> l.matches("step 8/8 .* s/step +[0-9.]+ images/s +ETA .*")), "progress shows images/s and ETA:\n" + log);
    }

    @Test
    void theTrainedModelLoadsAndGeneratesDeterministically() {
        try (StableDiffusion model = StableDiffusion.load(full.resolve("model"), null)) {
            assertEquals(SIZE, model.defaultImageSize());
            Pipeline pipeline = new Pipeline(model);
            GenerationRequest request = new GenerationRequest("a big red circle", "", "ddim", 4, 5, 11, 64, 64, 1, 1);
            GenerationResult a = pipeline.generate(request, true, RunOptions.NONE, ProgressListener.NONE, () -> false);
            GenerationResult b = pipeline.generate(request, false, RunOptions.NONE, ProgressListener.NONE, () -> false);
            int[] pixels = a.images().get(0).update(null).getCurrentStorageArray();
            assertEquals(64 * 64, pixels.length);
            assertArrayEquals(pixels, b.images().get(0).update(null).getCurrentStorageArray());
        }
    }

    /**
     * Stopped two steps past its step-4 checkpoint and killed while writing step 7's loss row, as a killed run is: the
     * resumed run redoes steps 5 and 6 and loss.csv ends up with one whole row per step.
     */
    @Test
    void aResumedRunContinuesTheUninterruptedOne() throws IOException {
        Path split = dir.resolve("split");
        train(split, STEPS, false, STEPS / 2 + 2);
        Files.writeString(split.resolve("loss.csv"), "7", java.nio.file.StandardOpenOption.APPEND);
        train(split, STEPS, true);
        List<String> a = Files.readAllLines(full.resolve("loss.csv"));
        List<String> b = Files.readAllLines(split.resolve("loss.csv"));
        assertEquals(a.size(), b.size(), "one loss row per step: " + b);
        for (int i = 1; i < a.size(); i++) {
            assertEquals(a.get(i).split(",")[0], b.get(i).split(",")[0], "step of row " + i);
            double la = Double.parseDouble(a.get(i).split(",")[1]);
            double lb = Double.parseDouble(b.get(i).split(",")[1]);
            assertEquals(la, lb, 1e-4 * la, "loss of step " + i + ": uninterrupted " + a + "\nresumed " + b);
        }
    }

    @Test
    void aRunStartedFromATrainedModelBeginsAtItsLoss() throws IOException {
        Path continued = dir.resolve("continued");
        String output = trainFrom(full.resolve("model"), continued, 2);
        assertTrue(output.contains("starting from the weights of"), output);
        double fromScratch = Double.parseDouble(Files.readAllLines(full.resolve("loss.csv")).get(1).split(",")[1]);
        double fromTrained = Double.parseDouble(Files.readAllLines(continued.resolve("loss.csv")).get(1).split(",")[1]);
        assertTrue(fromTrained < 0.9 * fromScratch, "the first step's loss should start where training ended: from scratch "
                + fromScratch + ", from the trained model " + fromTrained + "\n" + output);
        assertEquals(Files.readString(full.resolve("model/tokenizer/vocab.json")), Files.readString(continued.resolve("model/tokenizer/vocab.json")));
        assertTrue(Files.readAllLines(continued.resolve("model/training_captions.txt"))
                .containsAll(Files.readAllLines(full.resolve("model/training_captions.txt"))));
        CheckpointException both = assertThrows(CheckpointException.class, () -> new RunStart(true, full.resolve("model"), null));
        assertTrue(both.getMessage().contains("give one of them"), both.getMessage());
    }

    @Test
    void aRunIsNeitherOverwrittenNorResumedFromNothing() {
        CheckpointException again = assertThrows(CheckpointException.class, () -> train(full, STEPS, false));
        assertTrue(again.getMessage().contains("--resume"), again.getMessage());
        CheckpointException nothing = assertThrows(CheckpointException.class, () -> train(dir.resolve("empty"), STEPS, true));
        assertTrue(nothing.getMessage().contains("no checkpoint"), nothing.getMessage());
    }
}
