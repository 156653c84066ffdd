package diffusionj.cli;

import diffusionj.io.EmbeddedModel;
import diffusionj.train.TrainingRun;
import diffusionj.train.TrainingSettings;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@code train --data DIR --out DIR [--steps N] [--batch B] [--resume]}: trains a small text-to-image model
 * from scratch, or from the weights of a model it made before ({@code --init-from}, a folder or {@code embedded}), on a
 * folder of NAME.png + NAME.txt pairs (see {@link TrainingRun}). {@code --lr} and {@code --warmup} set the schedule's
 * peak and warm-up; like {@code --steps} they are given again with {@code --resume}.
 */
final class TrainCommand {
    static final String USAGE = "train --data DIR --out DIR [--steps N] [--batch B] [--resume | --init-from MODEL] [--size S] [--sample-every K] [--seed K] [--lr PEAK] [--warmup N]";

    private TrainCommand() {
    }

    static void run(String[] argv, PrintStream err) {
        Args args = new Args("train", argv, 1, Set.of("--data", "--out", "--steps", "--batch", "--size", "--sample-every", "--seed", "--init-from",
                "--lr", "--warmup"), Set.of("--resume"));
        int size = (int) args.integer("--size", 64, 16, 256);
        if (size % 16 != 0) {
            throw new UsageException("train: --size must be a multiple of 16 (pixel unshuffle by 4, then two halvings in the UNet), got " + size);
        }
        TrainingSettings settings = TrainingSettings.defaults(args.integer("--steps", 2000, 1, 10_000_000),
                (int) args.integer("--batch", 16, 1, 256), size, args.integer("--seed", 0, 0, Long.MAX_VALUE));
        settings = settings.withLearningRate(args.decimal("--lr", settings.peakLearningRate(), 1e-7, 1e-1),
                args.integer("--warmup", settings.warmupSteps(), 1, settings.steps()));
        TrainingRun.run(Path.of(args.required("--data")), Path.of(args.required("--out")), settings,
                args.integer("--sample-every", 250, 1, 10_000_000), args.has("--resume"),
                args.has("--init-from") ? EmbeddedModel.resolve(args.required("--init-from")) : null, err);
    }
}
