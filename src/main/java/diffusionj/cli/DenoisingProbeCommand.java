package diffusionj.cli;

import diffusionj.io.EmbeddedModel;
import diffusionj.pipeline.StableDiffusion;
import diffusionj.train.DenoisingProbe;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@code denoising-probe [--model PATH|embedded] --data DIR [--count N] [--seed K]}: how well a model removes
 * noise at each noise level of its schedule, on images of a training folder (see {@link DenoisingProbe}); the
 * table goes to stdout as Markdown, for BENCHMARKS.md.
 */
final class DenoisingProbeCommand {
    static final String USAGE = "denoising-probe [--model PATH|embedded] --data DIR [--count N] [--seed K]";

    private DenoisingProbeCommand() {
    }

    static void run(String[] argv, PrintStream out) {
        Args args = new Args("denoising-probe", argv, 1, Set.of("--model", "--data", "--count", "--seed"), Set.of());
        Path model = EmbeddedModel.resolve(args.optional("--model", EmbeddedModel.NAME));
        Path data = Path.of(args.required("--data"));
        int count = (int) args.integer("--count", 8, 1, DenoisingProbe.MAX_IMAGES);
        long seed = args.integer("--seed", 0, 0, Long.MAX_VALUE);
        try (StableDiffusion sd = StableDiffusion.load(model, null)) {
            out.print(DenoisingProbe.report(sd, data, count, seed));
        }
    }
}
