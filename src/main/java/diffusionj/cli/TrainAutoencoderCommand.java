package diffusionj.cli;

import diffusionj.train.AutoencoderRun;
import diffusionj.train.AutoencoderShape;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@code train-autoencoder --data DIR --out DIR [--steps N] [--batch B] [--size S] [--latent-channels C] [--width W]
 * [--layers-per-block L] [--resume]}:
 * trains the first stage of a latent diffusion model, a small AutoencoderKL, on the images of a NAME.png + NAME.txt
 * folder (captions unused); {@code train --autoencoder OUT} then trains a text-to-image model in its latent space
 * (see {@link AutoencoderRun}).
 */
final class TrainAutoencoderCommand {
    static final String USAGE = "train-autoencoder --data DIR --out DIR [--steps N] [--batch B] [--size S] [--latent-channels C] [--width W]"
            + " [--layers-per-block L] [--resume] [--sample-every K] [--seed K] [--lr PEAK] [--warmup N]";

    private TrainAutoencoderCommand() {
    }

    static void run(String[] argv, PrintStream err) {
        Args args = new Args("train-autoencoder", argv, 1, Set.of("--data", "--out", "--steps", "--batch", "--size", "--latent-channels",
                "--width", "--layers-per-block", "--sample-every", "--seed", "--lr", "--warmup"), Set.of("--resume"));
        int size = (int) args.integer("--size", 64, 16, 256);
        if (size % 4 != 0) {
            throw new UsageException("train-autoencoder: --size must be a multiple of 4 (the latent is a quarter of the size), got " + size);
        }
        AutoencoderShape shape;
        try {
            shape = new AutoencoderShape((int) args.integer("--latent-channels", 8, 1, 64), (int) args.integer("--width", 16, AutoencoderShape.GROUPS, 256),
                    (int) args.integer("--layers-per-block", 1, 1, 4));
        } catch (IllegalArgumentException e) {
            throw new UsageException("train-autoencoder: --" + e.getMessage());
        }
        AutoencoderRun.run(Path.of(args.required("--data")), Path.of(args.required("--out")), TrainCommand.settings(args, size),
                shape, args.integer("--sample-every", 250, 1, 10_000_000), args.has("--resume"), err);
    }
}
