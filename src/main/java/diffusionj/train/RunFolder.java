package diffusionj.train;

import diffusionj.io.CheckpointException;
import diffusionj.io.Safetensors;
import diffusionj.io.SafetensorsWriter;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What every training run keeps in its folder besides its model: {@code checkpoint.safetensors} (all a resumed run
 * needs, with the step in its metadata), {@code loss.csv}, and the progress line it prints per step.
 */
final class RunFolder {
    private static final String STEP = "step";

    /** Steps over which the progress line's s/step and ETA are averaged. */
    private static final int PACE_WINDOW = 20;

    private final Path out;
    private final PrintStream log;
    private final ArrayDeque<Long> recentSteps = new ArrayDeque<>();
    private long started;
    private double smoothed = Double.NaN;

    RunFolder(Path out, PrintStream log) {
        this.out = out;
        this.log = log;
    }

    Path path() {
        return out;
    }

    /** Refuses to overwrite a run by mistake, or to resume one that is not there. */
    void checkStart(boolean resume) {
        Path checkpoint = checkpoint();
        if (resume && !Files.isRegularFile(checkpoint)) {
            throw new CheckpointException("--resume: " + out + " has no checkpoint.safetensors to resume from");
        }
        if (!resume && Files.exists(checkpoint)) {
            throw new CheckpointException(out + " already holds a training run; add --resume to continue it, or choose another --out");
        }
    }

    /** Hands the checkpoint's arrays to {@code restore}; @return the step it was saved at */
    long resume(Consumer<Map<String, INDArray>> restore, long steps) {
        try (Safetensors state = Safetensors.open(checkpoint())) {
            Map<String, INDArray> arrays = new HashMap<>();
            state.names().forEach(n -> arrays.put(n, state.load(n)));
            restore.accept(arrays);
            long step = Long.parseLong(state.metadata().get(STEP));
            log.printf("resuming at step %d of %d%n", step, steps);
            dropLossRowsAfter(step);
            return step;
        }
    }

    void save(Map<String, INDArray> state, long step, long seed) {
        Path file = checkpoint();
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        SafetensorsWriter.float32().write(partial, state, Map.of(STEP, Long.toString(step), "seed", Long.toString(seed)));
        try {
            // Replaced in one move: an interrupted write never costs the previous checkpoint.
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new CheckpointException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Starts the clock of the progress line. */
    void startSteps() {
        this.started = System.nanoTime();
        recentSteps.clear();
        recentSteps.add(started);
    }

    /** One row of loss.csv and one progress line, with images/s and the time left. @param step counted from 1 */
    void stepDone(long step, long steps, double loss, double learningRate, int batch) {
        smoothed = Double.isNaN(smoothed) ? loss : 0.98 * smoothed + 0.02 * loss;
        double perStep = secondsPerRecentStep();
        appendLoss(step, loss, learningRate);
        log.printf("step %d/%d  loss %.4f (smoothed %.4f)  %.2f s/step  %.1f images/s  ETA %s%n", step, steps, loss,
                smoothed, perStep, batch / perStep, duration(perStep * (steps - step)));
    }

    void finished(Path model) {
        log.printf("done: %s, final smoothed loss %.4f; model in %s%n", duration((System.nanoTime() - started) / 1e9), smoothed, model);
    }

    /**
     * The mean time of the last {@link #PACE_WINDOW} steps: the pace the ETA extrapolates, which a pause (a suspended
     * process, a sleeping laptop) or the first steps' graph building leaves after that many steps.
     */
    private double secondsPerRecentStep() {
        long now = System.nanoTime();
        recentSteps.add(now);
        if (recentSteps.size() > PACE_WINDOW + 1) {
            recentSteps.removeFirst();
        }
        return (now - recentSteps.getFirst()) / 1e9 / (recentSteps.size() - 1);
    }

    /**
     * A run stopped between checkpoints wrote loss rows past the step it resumes from (the last perhaps cut short);
     * those steps are done again, so their first rows go and loss.csv keeps one row per step.
     */
    private void dropLossRowsAfter(long step) {
        Path csv = out.resolve("loss.csv");
        if (!Files.exists(csv)) {
            return;
        }
        try {
            List<String> rows = Files.readAllLines(csv, StandardCharsets.UTF_8);
            if (rows.isEmpty()) {
                return;
            }
            List<String> kept = new ArrayList<>(rows.subList(0, 1));
            rows.stream().skip(1).filter(r -> r.matches("\\d+,.+") && Long.parseLong(r.substring(0, r.indexOf(','))) <= step)
                    .forEach(kept::add);
            Files.write(csv, kept, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CheckpointException("cannot rewrite " + csv + ": " + e.getMessage(), e);
        }
    }

    private Path checkpoint() {
        return out.resolve("checkpoint.safetensors");
    }

    private void appendLoss(long step, double loss, double lr) {
        Path csv = out.resolve("loss.csv");
        try {
            if (!Files.exists(csv)) {
                Files.createDirectories(out);
                Files.writeString(csv, "step,loss,learning_rate\n", StandardCharsets.UTF_8);
            }
            Files.writeString(csv, String.format("%d,%.6f,%.6g%n", step, loss, lr), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new CheckpointException("cannot write " + csv + ": " + e.getMessage(), e);
        }
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%dh%02dm", s / 3600, s % 3600 / 60) : String.format("%dm%02ds", s / 60, s % 60);
    }
}
