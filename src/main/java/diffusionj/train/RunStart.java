package diffusionj.train;

import diffusionj.io.CheckpointException;

import java.nio.file.Path;

/**
 * How a training run begins: a new model of the recipe (diffusing in the pixel unshuffle's space, or in the latent
 * space of an autoencoder trained before, {@link AutoencoderRun}), a new run from the weights of a model made
 * before, or the checkpoint already in its folder.
 *
 * @param resume      continue the run in the output folder (same data, same vocabulary)
 * @param initFrom    null, or a model made by {@code train} (a folder, or the embedded one) whose configs, vocabulary
 *                    and weights a new run starts from, with fresh optimizer state and learning-rate schedule
 * @param autoencoder null for the pixel unshuffle, or the folder of an autoencoder ({@code vae/} of a
 *                    {@code train-autoencoder} run) that a new model diffuses in
 */
public record RunStart(boolean resume, Path initFrom, Path autoencoder) {
    public RunStart {
        if (resume && initFrom != null) {
            throw new CheckpointException("--init-from starts a new run and --resume continues the one in --out: give one of them");
        }
        if (autoencoder != null && (resume || initFrom != null)) {
            throw new CheckpointException("--autoencoder chooses the latent space of a new model: a run that --resume's or starts "
                    + "--init-from a model keeps that model's");
        }
    }

    public static RunStart fresh() {
        return new RunStart(false, null, null);
    }

    public static RunStart resuming() {
        return new RunStart(true, null, null);
    }
}
