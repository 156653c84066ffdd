package diffusionj.cli;

import diffusionj.io.CheckpointException;
import diffusionj.nn.NativeBackend;
import diffusionj.pipeline.CancelledException;
import diffusionj.pipeline.GenerationException;
import diffusionj.text.PromptException;

import java.io.PrintStream;

/**
 * The command-line interface. A stable contract for scripts and checks: JSON on stdout, exit code 2 with
 * the usage text for wrong arguments, 1 with a one-line message for a model or input problem.
 */
public final class Main {
    static final String USAGE = String.join("\n",
            "usage: diffusionj COMMAND [ARGS]",
            "  " + TokenizeCommand.USAGE,
            "  " + EncodeTextCommand.USAGE,
            "  " + UnetEvalCommand.USAGE,
            "  " + GenerateCommand.USAGE,
            "  " + BenchCommand.USAGE,
            "  " + LmEvalCommand.USAGE,
            "  " + CompleteCommand.USAGE,
            "  " + MakeShapesCommand.USAGE,
            "  " + TrainCommand.USAGE,
            "  " + TrainAutoencoderCommand.USAGE,
            "  " + EvaluateEmbeddedCommand.USAGE,
            "  " + DenoisingProbeCommand.USAGE,
            "  " + WordMapsCommand.USAGE,
            "  update-site OUT_DIR [--plugin-jar FILE] [--jars DIR | --classpath FILE]",
            "  install FIJI_OR_IMAGEJ_DIR [--all-platforms] [--jars DIR | --classpath FILE]");

    private Main() {
    }

    public static void main(String[] argv) {
        NativeBackend.configure();
        System.exit(run(argv, System.out, System.err));
    }

    static int run(String[] argv, PrintStream out, PrintStream err) {
        try {
            if (argv.length == 0) {
                throw new UsageException("no command given");
            }
            switch (argv[0]) {
                case "tokenize" -> TokenizeCommand.run(argv, out);
                case "encode-text" -> EncodeTextCommand.run(argv, out);
                case "unet-eval" -> UnetEvalCommand.run(argv, out);
                case "generate" -> GenerateCommand.run(argv, out, err);
                case "bench" -> BenchCommand.run(argv, out, err);
                case "lm-eval" -> LmEvalCommand.run(argv, out);
                case "complete" -> CompleteCommand.run(argv, out);
                case "make-shapes" -> MakeShapesCommand.run(argv, out);
                case "train" -> TrainCommand.run(argv, err);
                case "train-autoencoder" -> TrainAutoencoderCommand.run(argv, err);
                case "evaluate-embedded" -> EvaluateEmbeddedCommand.run(argv, out, err);
                case "denoising-probe" -> DenoisingProbeCommand.run(argv, out);
                case "word-maps" -> WordMapsCommand.run(argv, out, err);
                case "update-site", "install" -> {
                    return diffusionj.install.InstallCommand.run(argv, out, err);
                }
                case "help", "--help", "-h" -> out.println(USAGE);
                default -> throw new UsageException("unknown command '" + argv[0] + "'");
            }
            return 0;
        } catch (UsageException e) {
            err.println("error: " + e.getMessage());
            err.println(USAGE);
            return 2;
        } catch (CheckpointException | PromptException | GenerationException | CancelledException | IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 1;
        } catch (OutOfMemoryError e) {
            err.println("error: out of memory (" + e.getMessage() + "); allow more with DIFFUSIONJ_OFFHEAP, DIFFUSIONJ_PHYSICAL"
                    + " and DIFFUSIONJ_HEAP, or ask for less (README › Speed and memory)");
            return 1;
        }
    }
}
