package diffusionj.train;

import com.google.gson.JsonObject;
import diffusionj.io.CheckpointException;
import diffusionj.io.JsonFiles;
import diffusionj.io.Safetensors;
import diffusionj.io.SafetensorsWriter;
import diffusionj.pipeline.Images;
import diffusionj.vae.AutoencoderKL;
import diffusionj.vae.VaeConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A run of {@code train-autoencoder} in folder {@code out}: {@code vae/} (a diffusers AutoencoderKL folder:
 * {@code config.json}, with the {@code scaling_factor} measured on the training images, and
 * {@code diffusion_pytorch_model.safetensors}), {@code checkpoint.safetensors},
 * {@code loss.csv}, and {@code samples/step-N.png}: the first training images above their reconstructions.
 * {@code train --autoencoder OUT} then trains a text-to-image model in its latent space.
 */
public final class AutoencoderRun {
    private static final String CONFIG = AutoencoderKL.CONFIG;
    private static final String WEIGHTS = AutoencoderKL.WEIGHTS;
    private static final int SAMPLE_IMAGES = 8;
    /** Images whose encodings set the scaling factor: enough for the spread of a few thousand values per image. */
    private static final long SCALE_IMAGES = 256;

    private final Path out;
    private final TrainingSettings settings;
    private final PrintStream log;

    private AutoencoderRun(Path out, TrainingSettings settings, PrintStream log) {
        this.out = out;
        this.settings = settings;
        this.log = log;
    }

    /** @param shape the autoencoder of a new run; a resumed run keeps its own */
    public static void run(Path data, Path out, TrainingSettings settings, AutoencoderShape shape, long sampleEvery, boolean resume, PrintStream log) {
        run(data, out, settings, shape, sampleEvery, resume, log, settings.steps());
    }

    /** @param stopAfter the step to stop at, as an interruption would; for tests of resuming */
    static void run(Path data, Path out, TrainingSettings settings, AutoencoderShape shape, long sampleEvery, boolean resume, PrintStream log,
                    long stopAfter) {
        new AutoencoderRun(out, settings, log).run(data, shape, sampleEvery, resume, stopAfter);
    }

    private void run(Path data, AutoencoderShape shape, long sampleEvery, boolean resume, long stopAfter) {
        RunFolder run = new RunFolder(out, log);
        run.checkStart(resume);
        Path vae = out.resolve("vae");
        if (!resume) {
            ModelRecipe.write(vae.resolve(CONFIG), ModelRecipe.autoencoder(shape, settings.size()));
        }
        VaeConfig config = VaeConfig.fromJson(JsonFiles.readObject(vae.resolve(CONFIG)));
        if (settings.size() % config.downscale() != 0) {
            throw new CheckpointException("train-autoencoder: --size must be a multiple of " + config.downscale() + ", got " + settings.size());
        }
        ImageCaptionFolder folder = ImageCaptionFolder.load(data, settings.size());
        AutoencoderTrainer trainer = new AutoencoderTrainer(config, folder, settings);
        long first = resume ? run.resume(trainer::restore, settings.steps()) : 0;
        long latentSide = settings.size() / config.downscale();
        log.printf("training an autoencoder on %d images at %d² (latent %d × %d²), %,d parameters, batch %d, %d steps, learning rate %.2g%n",
                folder.size(), settings.size(), config.latentChannels(), latentSide, trainer.parameterCount(), settings.batch(), settings.steps(),
                settings.peakLearningRate());
        run.startSteps();
        for (long step = first; step < Math.min(stopAfter, settings.steps()); step++) {
            double loss = trainer.step(step);
            run.stepDone(step + 1, settings.steps(), loss, settings.learningRate(step + 1), settings.batch());
            if ((step + 1) % sampleEvery == 0 || step + 1 == settings.steps()) {
                run.save(trainer.trainingState(), step + 1, settings.seed());
                export(trainer, vae, folder.images());
                writeSamples(vae, folder.images(), out.resolve("samples").resolve(String.format("step-%06d.png", step + 1)));
            }
        }
        run.finished(vae);
    }

    /** The weights as float16, then the scaling factor that gives their encodings of the images unit spread. */
    private void export(AutoencoderTrainer trainer, Path vae, INDArray images) {
        SafetensorsWriter.float16().write(vae.resolve(WEIGHTS), trainer.stateDict());
        double std;
        try (Safetensors file = Safetensors.open(vae.resolve(WEIGHTS))) {
            INDArray some = images.get(NDArrayIndex.interval(0, Math.min(SCALE_IMAGES, images.size(0))));
            std = AutoencoderKL.fromFolder(vae, file).encode(some).stdNumber().doubleValue();
        }
        JsonObject config = JsonFiles.readObject(vae.resolve(CONFIG));
        config.addProperty("scaling_factor", 1 / std);
        ModelRecipe.write(vae.resolve(CONFIG), config);
        log.printf("autoencoder: latent spread %.4g, scaling factor %.4g%n", std, 1 / std);
    }

    /** The first training images (top row) above what the exported autoencoder makes of them (bottom row). */
    private void writeSamples(Path vae, INDArray images, Path png) {
        INDArray some = images.get(NDArrayIndex.interval(0, Math.min(SAMPLE_IMAGES, images.size(0))));
        INDArray reconstructed;
        try (Safetensors file = Safetensors.open(vae.resolve(WEIGHTS))) {
            AutoencoderKL model = AutoencoderKL.fromFolder(vae, file);
            reconstructed = model.decode(model.encode(some));
        }
        int n = (int) some.size(0);
        int size = (int) some.size(2);
        BufferedImage grid = new BufferedImage(size * n, size * 2, BufferedImage.TYPE_INT_RGB);
        INDArray[] rows = {Images.toLevels(some), Images.toLevels(reconstructed)};
        for (int row = 0; row < 2; row++) {
            for (int i = 0; i < n; i++) {
                grid.createGraphics().drawImage(Images.toBufferedImage(Images.toArgb(rows[row], i)), i * size, row * size, null);
            }
        }
        try {
            Files.createDirectories(png.getParent());
            ImageIO.write(grid, "png", png.toFile());
        } catch (IOException e) {
            throw new CheckpointException("cannot write " + png + ": " + e.getMessage(), e);
        }
        log.println("samples: " + png + "  (training images above their reconstructions)");
    }

    /**
     * Copies a trained autoencoder into a model's {@code vae/} folder. @param autoencoder a {@code train-autoencoder}
     * run's folder or its {@code vae/} @return its config
     */
    static VaeConfig copy(Path autoencoder, Path dest) {
        Path vae = AutoencoderKL.folderIn(autoencoder);
        for (String name : new String[]{CONFIG, WEIGHTS}) {
            if (!Files.isRegularFile(vae.resolve(name))) {
                throw new CheckpointException("--autoencoder " + autoencoder + ": no " + name + " in " + vae
                        + " (expected the folder of a train-autoencoder run, or its vae/)");
            }
        }
        JsonObject json = JsonFiles.readObject(vae.resolve(CONFIG));
        if (!json.has("_class_name") || !"AutoencoderKL".equals(json.get("_class_name").getAsString())) {
            throw new CheckpointException("--autoencoder " + vae.resolve(CONFIG) + " is not an AutoencoderKL config");
        }
        if (!json.has("scaling_factor")) {
            throw new CheckpointException("--autoencoder " + vae + " has no scaling_factor yet: its run has not exported a model");
        }
        try {
            Files.createDirectories(dest);
            Files.copy(vae.resolve(CONFIG), dest.resolve(CONFIG), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(vae.resolve(WEIGHTS), dest.resolve(WEIGHTS), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new CheckpointException("cannot copy " + vae + " to " + dest + ": " + e.getMessage(), e);
        }
        return VaeConfig.fromJson(json);
    }
}
