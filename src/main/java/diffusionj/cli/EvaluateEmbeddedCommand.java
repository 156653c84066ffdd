package diffusionj.cli;

import diffusionj.attention.TokenMaps;
import diffusionj.evaluation.AdherenceEvaluation;
import diffusionj.evaluation.DrawnSceneMaps;
import diffusionj.evaluation.EvaluationReport;
import diffusionj.evaluation.HeldOutScenes;
import diffusionj.evaluation.ReconstructionCeiling;
import diffusionj.io.CheckpointException;
import diffusionj.io.EmbeddedModel;
import diffusionj.io.ExtraNetworkFolders;
import diffusionj.io.Safetensors;
import diffusionj.pipeline.GenerationRequest;
import diffusionj.pipeline.ProgressListener;
import diffusionj.pipeline.StableDiffusion;
import diffusionj.pipeline.WordMapSettings;
import diffusionj.pipeline.WordMapping;
import diffusionj.vae.AutoencoderKL;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code evaluate-embedded}: prompt adherence, negative-prompt effect and token-mask accuracy of a shapes
 * model on held-out captions (see {@link AdherenceEvaluation}); the table goes to stdout as Markdown, for
 * BENCHMARKS.md, progress to stderr.
 */
final class EvaluateEmbeddedCommand {
    static final String USAGE = "evaluate-embedded [--model PATH|embedded] [--count N] [--seed K] [--sampler NAME] [--steps K] [--cfg G]"
            + " [--size S] [--threshold T] [--images DIR] [--maps-of-drawn N [--timesteps 200,400] [--draws K] [--map-steps K] [--map-cfg G]]"
            + " [--autoencoder DIR]";

    private EvaluateEmbeddedCommand() {
    }

    static void run(String[] argv, PrintStream out, PrintStream err) {
        Args args = new Args("evaluate-embedded", argv, 1, Set.of("--model", "--count", "--seed", "--sampler", "--steps", "--cfg", "--size",
                "--threshold", "--images", "--maps-of-drawn", "--timesteps", "--draws", "--map-steps", "--map-cfg", "--autoencoder"), Set.of());
        Path model = EmbeddedModel.resolve(args.optional("--model", EmbeddedModel.NAME));
        int count = (int) args.integer("--count", 200, 1, 100_000);
        AdherenceEvaluation.Settings settings = new AdherenceEvaluation.Settings(args.optional("--sampler", "ddim"),
                (int) args.integer("--steps", 20, 1, GenerationRequest.MAX_STEPS), args.decimal("--cfg", 5, 0, GenerationRequest.MAX_GUIDANCE),
                (int) args.integer("--size", 64, GenerationRequest.MIN_SIZE, GenerationRequest.MAX_SIZE), args.integer("--seed", 1000, 0, Long.MAX_VALUE),
                args.decimal("--threshold", TokenMaps.DEFAULT_THRESHOLD, 0, 1));
        if (args.has("--autoencoder")) {
            ceiling(Path.of(args.required("--autoencoder")), model, count, settings, out);
            return;
        }
        if (args.has("--maps-of-drawn")) {
            mapsOfDrawn(args, model, settings, out, err);
            return;
        }
        List<HeldOutScenes.Captioned> scenes = HeldOutScenes.draw(model, count, settings.seed());
        try (StableDiffusion sd = StableDiffusion.load(model, null)) {
            EvaluationReport report = new AdherenceEvaluation(sd, settings, args.path("--images")).run(scenes, progress(err), () -> false);
            out.print(report.table(settings.describe()));
        }
    }

    /** Word maps of N drawn held-out scenes (never generated) against their ground-truth masks, and the hue baseline. */
    private static void mapsOfDrawn(Args args, Path model, AdherenceEvaluation.Settings settings, PrintStream out, PrintStream err) {
        int count = (int) args.integer("--maps-of-drawn", 100, 1, 100_000);
        WordMapSettings mapSettings = new WordMapSettings("", "",
                WordMapSettings.parseTimesteps(args.optional("--timesteps", WordMapSettings.formatTimesteps(WordMapSettings.DEFAULT_TIMESTEPS))),
                (int) args.integer("--draws", WordMapSettings.DEFAULT_DRAWS, 1, WordMapSettings.MAX_DRAWS),
                (int) args.integer("--map-steps", WordMapSettings.DEFAULT_STEPS, 1, WordMapSettings.MAX_STEPS),
                args.decimal("--map-cfg", WordMapSettings.DEFAULT_GUIDANCE, 0, GenerationRequest.MAX_GUIDANCE), settings.seed(), 1);
        List<HeldOutScenes.Captioned> scenes = HeldOutScenes.draw(model, count, settings.seed());
        try (StableDiffusion sd = StableDiffusion.load(model, null)) {
            DrawnSceneMaps evaluation = new DrawnSceneMaps(new WordMapping(sd, ExtraNetworkFolders.NONE), mapSettings, settings.size(),
                    settings.threshold());
            out.print(evaluation.run(scenes, progress(err), () -> false).table(evaluation.describe(count)));
        }
    }

    /** The checker on held-out scenes as drawn and as an autoencoder gives them back ({@link ReconstructionCeiling}). */
    private static void ceiling(Path autoencoder, Path model, int count, AdherenceEvaluation.Settings settings, PrintStream out) {
        Path vae = AutoencoderKL.folderIn(autoencoder);
        if (!Files.isRegularFile(vae.resolve(AutoencoderKL.CONFIG)) || !Files.isRegularFile(vae.resolve(AutoencoderKL.WEIGHTS))) {
            throw new CheckpointException("--autoencoder " + autoencoder + ": expected " + AutoencoderKL.CONFIG + " and " + AutoencoderKL.WEIGHTS
                    + " in it or in its vae/ (a train-autoencoder run)");
        }
        List<HeldOutScenes.Captioned> scenes = HeldOutScenes.draw(model, count, settings.seed());
        try (Safetensors weights = Safetensors.open(vae.resolve(AutoencoderKL.WEIGHTS))) {
            out.print(ReconstructionCeiling.table(scenes, AutoencoderKL.fromFolder(vae, weights), settings.size(), vae.toString()));
        }
    }

    private static ProgressListener progress(PrintStream err) {
        return new ProgressListener() {
            @Override
            public void step(int done, int total, double seconds) {
                err.printf("caption %d/%d, %.0f s%n", done, total, seconds);
            }
        };
    }
}
