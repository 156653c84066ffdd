package diffusionj.cli;

import diffusionj.io.EmbeddedModel;
import diffusionj.train.TrainingRun;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@code train --data DIR --out DIR [--steps N] [--batch B] [--resume]}: trains a small text-to-image model
 * from scratch, or from the weights of a model it made before ({@code --init-from}, a folder or {@code embedded}), on a
 * folder of NAME.png + NAME.txt pairs (see {@link TrainingRun}).
 */
final class TrainCommand {
    static final String USAGE = "train --data DIR --out DIR [--steps N] [--batch B] [--resume | --init-from MODEL] [--size S] [--sample-every K] [--seed K]";

    private TrainCommand() {
    }

    static void run(String[] argv, PrintStream err) {
        Args args = new Args("train", argv, 1, Set.of("--data", "--out", "--steps", "--batch", "--size", "--sample-every", "--seed", "--init-from"), Set.of("--resume"));
        int size = (int) args.integer("--size", 64, 16, 256);
        if (size % 16 != 0) {
            throw new UsageException("train: --size must be a multiple of 16 (pixel unshuffle by 4, then two halvings in the UNet), got " + size);
        }
        TrainingRun.run(Path.of(args.required("--data")), Path.of(args.required("--out")),
                args.integer("--steps", 2000, 1, 10_000_000), (int) args.integer("--batch", 16, 1, 256), size,
                args.integer("--sample-every", 250, 1, 10_000_000), args.integer("--seed", 0, 0, Long.MAX_VALUE),
                args.has("--resume"), args.has("--init-from") ? EmbeddedModel.resolve(args.required("--init-from")) : null, err);
    }
}
