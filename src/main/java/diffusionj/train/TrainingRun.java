package diffusionj.train;

import diffusionj.evaluation.HeldOutScenes;
import diffusionj.io.CheckpointException;
import diffusionj.io.EmbeddedModel;
import diffusionj.io.Safetensors;
import diffusionj.io.SafetensorsWriter;
import diffusionj.pipeline.GenerationRequest;
import diffusionj.pipeline.GenerationResult;
import diffusionj.pipeline.Pipeline;
import diffusionj.pipeline.ProgressListener;
import diffusionj.pipeline.RunOptions;
import diffusionj.pipeline.StableDiffusion;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.basictypeaccess.array.IntArray;
import net.imglib2.type.numeric.ARGBType;
import org.nd4j.linalg.api.ndarray.INDArray;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A training run in folder {@code out}: {@code model/} (a diffusers folder the engine loads; its weights are
 * the moving average, rewritten at every sample grid and at the end), {@code checkpoint.safetensors} (all a
 * resumed run needs), {@code samples/step-N.png} (a grid of the first captions, same seeds each time) and
 * {@code loss.csv}.
 */
public final class TrainingRun {
    private static final String STEP = "step";
    private static final int SAMPLE_CAPTIONS = 4;

    private final Path out;
    private final TrainingSettings settings;
    private final PrintStream log;

    private TrainingRun(Path out, TrainingSettings settings, PrintStream log) {
        this.out = out;
        this.settings = settings;
        this.log = log;
    }

    /**
     * @param resume   continue the run in {@code out} from its checkpoint (same data, same vocabulary); without it
     *                 {@code out} must not hold a run already, so nothing is overwritten by mistake
     * @param initFrom null to start from random weights; else a model made by {@code train} (a folder, or the
     *                 embedded one) whose configs, vocabulary and weights a new run starts from, with fresh optimizer
     *                 state and learning-rate schedule
     */
    public static void run(Path data, Path out, TrainingSettings settings, long sampleEvery, boolean resume, Path initFrom, PrintStream log) {
        run(data, out, settings, sampleEvery, resume, initFrom, log, settings.steps());
    }

    /**
     * @param stopAfter the step to stop at, as an interruption would (the learning-rate schedule still spans
     *                  {@code steps}); for tests of resuming
     */
    static void run(Path data, Path out, TrainingSettings settings, long sampleEvery, boolean resume, Path initFrom, PrintStream log,
                    long stopAfter) {
        new TrainingRun(out, settings, log).run(data, sampleEvery, resume, initFrom, stopAfter);
    }

    private void run(Path data, long sampleEvery, boolean resume, Path initFrom, long stopAfter) {
        Path checkpoint = out.resolve("checkpoint.safetensors");
        if (resume && initFrom != null) {
            throw new CheckpointException("--init-from starts a new run and --resume continues the one in " + out + ": give one of them");
        }
        if (resume && !Files.isRegularFile(checkpoint)) {
            throw new CheckpointException("--resume: " + out + " has no checkpoint.safetensors to resume from");
        }
        if (!resume && Files.exists(checkpoint)) {
            throw new CheckpointException(out + " already holds a training run; add --resume to continue it, or choose another --out");
        }
        ImageCaptionFolder folder = ImageCaptionFolder.load(data, settings.size());
        Path model = out.resolve("model");
        if (initFrom != null) {
            startFrom(initFrom, model, folder.captions());
        } else if (!resume) {
            ModelRecipe.write(model, folder.captions(), settings.size());
            writeCaptions(model, folder.captions());
        }
        DiffusionTrainer trainer = new DiffusionTrainer(model, settings, initFrom);
        long first = 0;
        if (resume) {
            try (Safetensors state = Safetensors.open(checkpoint)) {
                Map<String, INDArray> arrays = new HashMap<>();
                state.names().forEach(n -> arrays.put(n, state.load(n)));
                trainer.restore(arrays);
                first = Long.parseLong(state.metadata().get(STEP));
            }
            log.printf("resuming at step %d of %d%n", first, settings.steps());
        }
        log.printf("training on %d image-caption pairs at %d², %,d parameters, batch %d, %d steps, learning rate %.2g after %d warm-up steps%n",
                folder.size(), settings.size(), trainer.parameterCount(), settings.batch(), settings.steps(), settings.peakLearningRate(),
                settings.warmupSteps());
        List<String> sampleCaptions = folder.captions().stream().distinct().limit(SAMPLE_CAPTIONS).toList();
        long started = System.nanoTime();
        double smoothed = Double.NaN;
        for (long step = first; step < Math.min(stopAfter, settings.steps()); step++) {
            double loss = trainer.step(folder, step);
            smoothed = Double.isNaN(smoothed) ? loss : 0.98 * smoothed + 0.02 * loss;
            double perStep = (System.nanoTime() - started) / 1e9 / (step - first + 1);
            appendLoss(step + 1, loss, settings.learningRate(step + 1));
            log.printf("step %d/%d  loss %.4f (smoothed %.4f)  %.2f s/step  %.1f images/s  ETA %s%n", step + 1, settings.steps(), loss,
                    smoothed, perStep, settings.batch() / perStep, duration(perStep * (settings.steps() - step - 1)));
            boolean last = step + 1 == settings.steps();
            if ((step + 1) % sampleEvery == 0 || last) {
                saveCheckpoint(trainer, checkpoint, step + 1);
                exportModel(trainer, model);
                sampleGrid(model, sampleCaptions, out.resolve("samples").resolve(String.format("step-%06d.png", step + 1)));
            }
        }
        log.printf("done: %s, final smoothed loss %.4f; model in %s%n", duration((System.nanoTime() - started) / 1e9), smoothed, model);
    }

    private void saveCheckpoint(DiffusionTrainer trainer, Path file, long step) {
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        SafetensorsWriter.float32().write(partial, trainer.trainingState(), Map.of(STEP, Long.toString(step), "seed", Long.toString(settings.seed())));
        try {
            // Replaced in one move: an interrupted write never costs the previous checkpoint.
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new CheckpointException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** The averaged weights as float16 safetensors in the diffusers layout, and the listing that lets the folder ship in the jar. */
    static void exportModel(DiffusionTrainer trainer, Path model) {
        trainer.withAveragedWeights(() -> {
            SafetensorsWriter.float16().write(model.resolve("unet/diffusion_pytorch_model.safetensors"), trainer.unetStateDict());
            SafetensorsWriter.float16().write(model.resolve("text_encoder/model.safetensors"), trainer.textEncoderStateDict());
        });
        EmbeddedModel.writeListing(model);
    }

    /** One image per caption, side by side, each with seed 0: the same noise at every grid shows what training changed. */
    private void sampleGrid(Path model, List<String> captions, Path png) {
        try (StableDiffusion sd = StableDiffusion.load(model, null)) {
            Pipeline pipeline = new Pipeline(sd);
            int size = Math.max(settings.size(), GenerationRequest.MIN_SIZE);
            BufferedImage grid = new BufferedImage(size * captions.size(), size, BufferedImage.TYPE_INT_RGB);
            for (int i = 0; i < captions.size(); i++) {
                GenerationRequest request = new GenerationRequest(captions.get(i), "", "ddim", 20, 5, 0, size, size, 1, 1);
                GenerationResult result = pipeline.generate(request, false, RunOptions.NONE, ProgressListener.NONE, () -> false);
                ArrayImg<ARGBType, IntArray> image = result.images().get(0);
                grid.setRGB(i * size, 0, size, size, image.update(null).getCurrentStorageArray(), 0, size);
            }
            Files.createDirectories(png.getParent());
            ImageIO.write(grid, "png", png.toFile());
            log.println("samples: " + png + "  (" + String.join(" | ", captions) + ")");
        } catch (IOException e) {
            throw new CheckpointException("cannot write " + png + ": " + e.getMessage(), e);
        }
    }

    /**
     * A new model folder with {@code init}'s configs and vocabulary (its weights are written at the first export).
     * Its training captions are both runs' together: an evaluation must hold out what either run saw.
     */
    private void startFrom(Path init, Path model, List<String> captions) {
        List<String> seen = new ArrayList<>(captions);
        seen.addAll(HeldOutScenes.trainingCaptions(init));
        try (var files = Files.walk(init)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Path copy = model.resolve(init.relativize(file).toString());
                Files.createDirectories(copy.getParent());
                Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new CheckpointException("cannot copy " + init + " to " + model + ": " + e.getMessage(), e);
        }
        writeCaptions(model, seen);
        log.println("starting from the weights of " + init);
    }

    /** The training captions, kept with the model so an evaluation can hold out captions never trained on. */
    private static void writeCaptions(Path model, List<String> captions) {
        try {
            Files.write(model.resolve("training_captions.txt"), captions.stream().distinct().sorted().toList(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CheckpointException("cannot write " + model.resolve("training_captions.txt") + ": " + e.getMessage(), e);
        }
    }

    private void appendLoss(long step, double loss, double lr) {
        Path csv = out.resolve("loss.csv");
        try {
            if (!Files.exists(csv)) {
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
