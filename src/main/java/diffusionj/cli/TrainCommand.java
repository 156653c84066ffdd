package diffusionj.cli;

import diffusionj.io.EmbeddedModel;
import diffusionj.train.RunStart;
import diffusionj.train.TrainingRun;
import diffusionj.train.TrainingSettings;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@code train --data DIR --out DIR [--steps N] [--batch B] [--resume]}: trains a small text-to-image model
 * from scratch, or from the weights of a model it made before ({@code --init-from}, a folder or {@code embedded}), on a
 * folder of NAME.png + NAME.txt pairs (see {@link TrainingRun}). {@code --lr} and {@code --warmup} set the schedule's
 * peak and warm-up; like {@code --steps} they are given again with {@code --resume}. {@code --autoencoder} makes the new
 * model diffuse in the latent space of an autoencoder trained by {@code train-autoencoder} instead of the pixel unshuffle's.
 */
final class TrainCommand {
    static final String USAGE = "train --data DIR --out DIR [--steps N] [--batch B] [--resume | --init-from MODEL] [--size S] [--sample-every K] [--seed K] [--lr PEAK] [--warmup N] [--autoencoder DIR]";

    private TrainCommand() {
    }

    static void run(String[] argv, PrintStream err) {
        Args args = new Args("train", argv, 1, Set.of("--data", "--out", "--steps", "--batch", "--size", "--sample-every", "--seed", "--init-from",
                "--lr", "--warmup", "--autoencoder"), Set.of("--resume"));
        int size = (int) args.integer("--size", 64, 16, 256);
        if (size % 16 != 0) {
            throw new UsageException("train: --size must be a multiple of 16 (a latent space at a quarter of the size, then two halvings in the UNet), got " + size);
        }
        TrainingSettings settings = settings(args, size);
        RunStart start = new RunStart(args.has("--resume"), args.has("--init-from") ? EmbeddedModel.resolve(args.required("--init-from")) : null,
                args.has("--autoencoder") ? Path.of(args.required("--autoencoder")) : null);
        TrainingRun.run(Path.of(args.required("--data")), Path.of(args.required("--out")), settings,
                args.integer("--sample-every", 250, 1, 10_000_000), start, err);
    }

    /** The options both training commands share: --steps, --batch, --seed, --lr, --warmup. */
    static TrainingSettings settings(Args args, int size) {
        TrainingSettings settings = TrainingSettings.defaults(args.integer("--steps", 2000, 1, 10_000_000),
                (int) args.integer("--batch", 16, 1, 256), size, args.integer("--seed", 0, 0, Long.MAX_VALUE));
        return settings.withLearningRate(args.decimal("--lr", settings.peakLearningRate(), 1e-7, 1e-1),
                args.integer("--warmup", settings.warmupSteps(), 1, settings.steps()));
    }
}
