package diffusionj.train;

import diffusionj.evaluation.HeldOutScenes;
import diffusionj.io.CheckpointException;
import diffusionj.io.EmbeddedModel;
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

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A training run in folder {@code out}: {@code model/} (a diffusers folder the engine loads; its weights are
 * the moving average, rewritten at every sample grid and at the end), {@code checkpoint.safetensors} (all a
 * resumed run needs), {@code samples/step-N.png} (a grid of the first captions, same seeds each time) and
 * {@code loss.csv}.
 */
public final class TrainingRun {
    private static final int SAMPLE_CAPTIONS = 4;

    private final Path out;
    private final TrainingSettings settings;
    private final PrintStream log;

    private TrainingRun(Path out, TrainingSettings settings, PrintStream log) {
        this.out = out;
        this.settings = settings;
        this.log = log;
    }

    public static void run(Path data, Path out, TrainingSettings settings, long sampleEvery, RunStart start, PrintStream log) {
        run(data, out, settings, sampleEvery, start, log, settings.steps());
    }

    /**
     * @param stopAfter the step to stop at, as an interruption would (the learning-rate schedule still spans
     *                  {@code steps}); for tests of resuming
     */
    static void run(Path data, Path out, TrainingSettings settings, long sampleEvery, RunStart start, PrintStream log, long stopAfter) {
        new TrainingRun(out, settings, log).run(data, sampleEvery, start, stopAfter);
    }

    private void run(Path data, long sampleEvery, RunStart start, long stopAfter) {
        RunFolder run = new RunFolder(out, log);
        run.checkStart(start.resume());
        Path initFrom = start.initFrom();
        ImageCaptionFolder folder = ImageCaptionFolder.load(data, settings.size());
        Path model = out.resolve("model");
        if (initFrom != null) {
            startFrom(initFrom, model, folder.captions());
        } else if (!start.resume()) {
            ModelRecipe.write(model, folder.captions(), settings.size(), start.autoencoder());
            writeCaptions(model, folder.captions());
        }
        DiffusionTrainer trainer = new DiffusionTrainer(model, folder, settings, initFrom);
        List<String> captions = folder.captions();
        // The trainer keeps the images in diffusion space; the pixels (1 GB for 20,000 scenes of 64², 3 GB for a
        // thousand photos of 512²) are not needed again in a run of hours.
        folder = null;
        long first = start.resume() ? run.resume(trainer::restore, settings.steps()) : 0;
        log.printf("training on %d image-caption pairs at %d², %,d parameters, batch %d, %d steps, learning rate %.2g after %d warm-up steps%n",
                captions.size(), settings.size(), trainer.parameterCount(), settings.batch(), settings.steps(), settings.peakLearningRate(),
                settings.warmupSteps());
        List<String> sampleCaptions = captions.stream().distinct().limit(SAMPLE_CAPTIONS).toList();
        run.startSteps();
        for (long step = first; step < Math.min(stopAfter, settings.steps()); step++) {
            double loss = trainer.step(step);
            run.stepDone(step + 1, settings.steps(), loss, settings.learningRate(step + 1), settings.batch());
            if ((step + 1) % sampleEvery == 0 || step + 1 == settings.steps()) {
                run.save(trainer.trainingState(), step + 1, settings.seed());
                exportModel(trainer, model);
                sampleGrid(model, sampleCaptions, out.resolve("samples").resolve(String.format("step-%06d.png", step + 1)));
            }
        }
        run.finished(model);
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
}
