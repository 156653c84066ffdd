package diffusionj.train;

import diffusionj.pipeline.StableDiffusion;
import diffusionj.sampling.NoiseSchedule;
import diffusionj.sampling.SeededNoise;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where a model's denoising stands, noise level by noise level: training images noised to timestep t as in
 * training, the model's x̂₀ against the clean image, next to two predictions that need no model — the input
 * scaled back (√ᾱ·x_t, i.e. removing no noise) and each image's own mean colour (the best guess without the
 * picture) — and how far the caption moves x̂₀ away from the empty caption's. A sampler passes through every
 * level, so a row where the model does no better than those two is where its pictures fail (see
 * BENCHMARKS.md). Errors are mean squares in the space the UNet denoises (the codec's scaled encoding).
 */
public final class DenoisingProbe {
    static final int[] TIMESTEPS = {10, 50, 150, 300, 500, 800, 950, 999};
    public static final int MAX_IMAGES = 64;

    /** One noise level; the errors are x̂₀ MSEs, the caption effect ‖x̂₀(caption) − x̂₀("")‖ / ‖x̂₀("")‖. */
    record Row(int timestep, double modelError, double inputError, double meanColourError, double captionEffect) {
    }

    private final StableDiffusion model;

    DenoisingProbe(StableDiffusion model) {
        this.model = model;
    }

    /**
     * The first {@code count} image–caption pairs of a training folder (in name order) at {@link #TIMESTEPS}, as a
     * Markdown table under a line saying what was measured.
     */
    public static String report(StableDiffusion model, Path data, int count, long seed) {
        ImageCaptionFolder folder = ImageCaptionFolder.load(data, model.defaultImageSize(), count);
        List<Row> rows = new DenoisingProbe(model).run(folder.images(), folder.captions(), TIMESTEPS, seed);
        return String.format(Locale.ROOT, "%d images of %s, noise seed %d, model %s (%s)%n%n", folder.size(), data, seed, model.name(),
                model.schedule().prediction().configName()) + table(rows);
    }

    /** @param images [n, 3, size, size] in [−1, 1], with one caption each */
    List<Row> run(INDArray images, List<String> captions, int[] timesteps, long seed) {
        INDArray x0 = model.vae().encode(images).muli(model.vae().scalingFactor());
        INDArray meanColour = x0.mean(true, 2, 3).broadcast(x0.shape());
        INDArray cond = context(captions);
        INDArray uncond = context(captions.stream().map(c -> "").toList());
        NoiseSchedule schedule = model.schedule();
        List<Row> rows = new ArrayList<>();
        for (int t : timesteps) {
            checkTimestep(t, schedule);
            double alphaProd = schedule.alphaCumprod(t);
            INDArray noise = new SeededNoise(seed + t).gaussian(x0.shape());
            INDArray noisy = schedule.noised(x0, noise, t);
            INDArray withCaption = original(noisy, t, cond);
            INDArray withoutCaption = original(noisy, t, uncond);
            rows.add(new Row(t, meanSquare(withCaption.sub(x0)), meanSquare(noisy.mul(Math.sqrt(alphaProd)).subi(x0)),
                    meanSquare(meanColour.sub(x0)), withCaption.sub(withoutCaption).norm2Number().doubleValue()
                            / withoutCaption.norm2Number().doubleValue()));
        }
        return rows;
    }

    /** The rows as a Markdown table, for BENCHMARKS.md. */
    static String table(List<Row> rows) {
        StringBuilder s = new StringBuilder("| t | x̂₀ MSE | removing no noise | mean colour | caption moves x̂₀ by |\n|---|---|---|---|---|\n");
        for (Row r : rows) {
            s.append(String.format(Locale.ROOT, "| %d | %.4f | %.4f | %.4f | %.1f %% |%n", r.timestep(), r.modelError(), r.inputError(),
                    r.meanColourError(), 100 * r.captionEffect()));
        }
        return s.toString();
    }

    private INDArray context(List<String> captions) {
        INDArray[] encoded = captions.stream().map(c -> model.prompts().encode(c, 1, 1)).toArray(INDArray[]::new);
        return Nd4j.concat(0, encoded);
    }

    private INDArray original(INDArray noisy, int t, INDArray context) {
        // One timestep for the whole batch, as the pipeline passes it.
        INDArray output = model.unet().predict(noisy, Nd4j.createFromArray((double) t), context);
        return model.schedule().prediction().originalFromAlpha(output, noisy, model.schedule().alphaCumprod(t));
    }

    private static void checkTimestep(int t, NoiseSchedule schedule) {
        if (t < 0 || t >= schedule.trainTimesteps()) {
            throw new IllegalArgumentException("timestep " + t + " outside the schedule's 0…" + (schedule.trainTimesteps() - 1));
        }
    }

    private static double meanSquare(INDArray difference) {
        return difference.mul(difference).meanNumber().doubleValue();
    }
}
