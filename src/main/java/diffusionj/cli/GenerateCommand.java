package diffusionj.cli;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import diffusionj.attention.TokenMaps;
import diffusionj.io.EmbeddedModel;
import diffusionj.io.ExtraNetworkFolders;
import diffusionj.io.PngFiles;
import diffusionj.io.Safetensors;
import diffusionj.io.SafetensorsWriter;
import diffusionj.pipeline.GenerationRequest;
import diffusionj.pipeline.GenerationResult;
import diffusionj.pipeline.HiresFix;
import diffusionj.pipeline.Images;
import diffusionj.pipeline.Pipeline;
import diffusionj.pipeline.ProgressListener;
import diffusionj.pipeline.RunOptions;
import diffusionj.pipeline.StableDiffusion;
import diffusionj.sampling.NoiseSource;
import diffusionj.sampling.ReplayedNoise;
import diffusionj.unet.SizeConditioning;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code generate}: text-to-image into PNG files that carry the web UIs' "parameters" text; optionally the
 * token maps, and the means to reproduce a run exactly (given start latent, replayed noise, saved latents).
 */
final class GenerateCommand {
    static final String USAGE = "generate [--model PATH|embedded] [--tokenizer DIR] --prompt P [--negative N] [--sampler NAME] [--steps K]"
            + " [--cfg G] [--seed S] [--width W --height H] [--batch B] [--clip-skip N] --out FILE.png [--maps DIR]"
            + " [--threshold T] [--init-latent FILE] [--replay-noise FILE] [--save-latents FILE] [--lora-dir DIR]… [--embeddings-dir DIR]…"
            + " [--schedule leading|trailing|sgm_uniform] [--original-size W,H] [--crop-top-left X,Y]"
            + " [--hires-scale F | --hires-width W --hires-height H] [--hires-steps K] [--hires-denoise D] [--hires-upscaler latent|lanczos|bicubic]";

    private GenerateCommand() {
    }

    static void run(String[] argv, PrintStream out, PrintStream err) {
        Args args = new Args("generate", argv, 1, Set.of("--model", "--tokenizer", "--prompt", "--negative", "--sampler", "--steps",
                "--cfg", "--seed", "--width", "--height", "--batch", "--clip-skip", "--out", "--maps", "--threshold", "--init-latent",
                "--replay-noise", "--save-latents", "--lora-dir", "--embeddings-dir", "--schedule", "--original-size", "--crop-top-left",
                "--hires-scale", "--hires-width", "--hires-height", "--hires-steps", "--hires-denoise", "--hires-upscaler"), Set.of());
        Path model = EmbeddedModel.resolve(args.optional("--model", EmbeddedModel.NAME));
        Path target = Path.of(args.required("--out"));
        String prompt = args.required("--prompt");
        double threshold = args.decimal("--threshold", TokenMaps.DEFAULT_THRESHOLD, 0, 1);
        SizeConditioning sizes;
        try {
            sizes = SizeConditioning.parse(args.optional("--original-size", "0,0"), args.optional("--crop-top-left", "0,0"),
                    "--original-size", "--crop-top-left");
        } catch (IllegalArgumentException e) {
            throw new UsageException("generate: " + e.getMessage());
        }
        try (StableDiffusion sd = StableDiffusion.load(model, args.path("--tokenizer"))) {
            int defaultSize = sd.defaultImageSize();
            GenerationRequest request = new GenerationRequest(prompt, args.optional("--negative", ""),
                    args.optional("--sampler", "euler_ancestral"), (int) args.integer("--steps", 20, 1, Integer.MAX_VALUE),
                    // Absent: the family's default (SDXL 5, SD 1.x/2.x 7.5), as the web UIs.
                    args.has("--cfg") ? args.decimal("--cfg", 0, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY) : GenerationRequest.MODEL_GUIDANCE,
                    args.integer("--seed", -1, Long.MIN_VALUE, Long.MAX_VALUE),
                    (int) args.integer("--width", defaultSize, 0, Integer.MAX_VALUE),
                    (int) args.integer("--height", defaultSize, 0, Integer.MAX_VALUE),
                    (int) args.integer("--batch", 1, 0, Integer.MAX_VALUE), (int) args.integer("--clip-skip", 1, 0, Integer.MAX_VALUE))
                    .with(sizes, args.optional("--schedule", "")).with(hires(args));
            Map<String, INDArray> saved = new LinkedHashMap<>();
            RunOptions options = new RunOptions(initLatent(args.path("--init-latent")), replayed(args.path("--replay-noise")),
                    args.has("--save-latents") ? (i, latent) -> saved.put(String.format("step%02d.latent", i), latent.dup()) : null);
            ExtraNetworkFolders folders = new ExtraNetworkFolders(args.paths("--lora-dir"), args.paths("--embeddings-dir"))
                    .with(ExtraNetworkFolders.beside(model));
            GenerationResult result = new Pipeline(sd, folders).generate(request, args.has("--maps"), options, stderrProgress(err), () -> false);
            List<Path> files = writeImages(result, target);
            if (args.has("--save-latents")) {
                saved.put("image", result.decoded());
                SafetensorsWriter.float32().write(args.path("--save-latents"), saved);
            }
            if (args.has("--maps")) {
                TokenMapFiles.write(result.tokenMaps(), args.path("--maps"), threshold);
            }
            out.println(summary(result, files));
        }
    }

    /** The hires fix when any of its size flags is given, else none (the other hires flags alone do nothing and are refused). */
    private static HiresFix hires(Args args) {
        boolean scaled = args.has("--hires-scale");
        boolean sized = args.has("--hires-width") || args.has("--hires-height");
        if (!scaled && !sized) {
            for (String flag : List.of("--hires-steps", "--hires-denoise", "--hires-upscaler")) {
                if (args.has(flag)) {
                    throw new UsageException("generate: " + flag + " needs --hires-scale or --hires-width/--hires-height (the hires fix's size)");
                }
            }
            return HiresFix.NONE;
        }
        if (scaled && sized) {
            throw new UsageException("generate: give --hires-scale or --hires-width/--hires-height, not both");
        }
        return new HiresFix(args.decimal("--hires-scale", 0, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY),
                (int) args.integer("--hires-width", 0, Integer.MIN_VALUE, Integer.MAX_VALUE), (int) args.integer("--hires-height", 0, Integer.MIN_VALUE, Integer.MAX_VALUE),
                (int) args.integer("--hires-steps", 0, Integer.MIN_VALUE, Integer.MAX_VALUE),
                args.decimal("--hires-denoise", HiresFix.DEFAULT_DENOISE, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY),
                HiresFix.upscalerName(args.optional("--hires-upscaler", "latent")));
    }

    private static INDArray initLatent(Path file) {
        if (file == null) {
            return null;
        }
        try (Safetensors st = Safetensors.open(file)) {
            return st.load("init_latent");
        }
    }

    private static NoiseSource replayed(Path file) {
        if (file == null) {
            return null;
        }
        try (Safetensors st = Safetensors.open(file)) {
            return ReplayedNoise.from(st);
        }
    }

    private static ProgressListener stderrProgress(PrintStream err) {
        return new ProgressListener() {
            @Override
            public void step(int done, int total, double seconds) {
                err.printf("step %d/%d, %.1f s%n", done, total, seconds);
            }
        };
    }

    /** One image: FILE itself; a batch: FILE-1.png, FILE-2.png, … */
    static Path numbered(Path target, int index, int count, String suffix) {
        String name = target.getFileName().toString();
        String stem = name.endsWith(suffix) ? name.substring(0, name.length() - suffix.length()) : name;
        return count == 1 ? target.resolveSibling(stem + suffix) : target.resolveSibling(stem + "-" + (index + 1) + suffix);
    }

    private static List<Path> writeImages(GenerationResult result, Path target) {
        List<Path> files = new ArrayList<>();
        int n = result.images().size();
        for (int i = 0; i < n; i++) {
            Path file = numbered(target, i, n, ".png");
            PngFiles.write(file, Images.toBufferedImage(result.images().get(i)), Map.of("parameters", result.parameters().get(i)));
            files.add(file);
        }
        return files;
    }

    private static JsonObject summary(GenerationResult result, List<Path> files) {
        JsonObject o = new JsonObject();
        JsonArray images = new JsonArray();
        files.forEach(f -> images.add(f.toString()));
        o.add("images", images);
        o.add("seeds", new Gson().toJsonTree(result.seeds()));
        JsonArray parameters = new JsonArray();
        result.parameters().forEach(parameters::add);
        o.add("parameters", parameters);
        return o;
    }
}
