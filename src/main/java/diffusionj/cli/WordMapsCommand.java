package diffusionj.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import diffusionj.attention.TokenMaps;
import diffusionj.io.EmbeddedModel;
import diffusionj.io.ExtraNetworkFolders;
import diffusionj.pipeline.Images;
import diffusionj.pipeline.ProgressListener;
import diffusionj.pipeline.StableDiffusion;
import diffusionj.pipeline.WordMapSettings;
import diffusionj.pipeline.WordMapping;

import java.awt.image.BufferedImage;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code word-maps}: per-word attention maps and masks of an existing image ({@link WordMapping}), written as
 * {@code generate --maps} writes them: DIR/token_maps.safetensors and DIR/word-W.png at the image's own size.
 */
final class WordMapsCommand {
    static final String USAGE = "word-maps [--model PATH|embedded] [--tokenizer DIR] --image FILE --prompt P [--negative N] [--timesteps 200,400]"
            + " [--draws K] [--steps K] [--cfg G] [--seed S] [--clip-skip N] [--threshold T] [--lora-dir DIR]… [--embeddings-dir DIR]… --out DIR";

    private WordMapsCommand() {
    }

    static void run(String[] argv, PrintStream out, PrintStream err) {
        Args args = new Args("word-maps", argv, 1, Set.of("--model", "--tokenizer", "--image", "--prompt", "--negative", "--timesteps", "--draws",
                "--steps", "--cfg", "--seed", "--clip-skip", "--threshold", "--lora-dir", "--embeddings-dir", "--out"), Set.of());
        Path model = EmbeddedModel.resolve(args.optional("--model", EmbeddedModel.NAME));
        Path imageFile = Path.of(args.required("--image"));
        Path dir = Path.of(args.required("--out"));
        double threshold = args.decimal("--threshold", TokenMaps.DEFAULT_THRESHOLD, 0, 1);
        WordMapSettings settings = new WordMapSettings(args.required("--prompt"), args.optional("--negative", ""),
                WordMapSettings.parseTimesteps(args.optional("--timesteps", WordMapSettings.formatTimesteps(WordMapSettings.DEFAULT_TIMESTEPS))),
                (int) args.integer("--draws", WordMapSettings.DEFAULT_DRAWS, 0, Integer.MAX_VALUE),
                (int) args.integer("--steps", WordMapSettings.DEFAULT_STEPS, 0, Integer.MAX_VALUE),
                args.decimal("--cfg", WordMapSettings.DEFAULT_GUIDANCE, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY),
                args.integer("--seed", 0, Long.MIN_VALUE, Long.MAX_VALUE), (int) args.integer("--clip-skip", 1, 0, Integer.MAX_VALUE));
        BufferedImage image = Images.read(imageFile);
        try (StableDiffusion sd = StableDiffusion.load(model, args.path("--tokenizer"))) {
            ExtraNetworkFolders folders = new ExtraNetworkFolders(args.paths("--lora-dir"), args.paths("--embeddings-dir"))
                    .with(ExtraNetworkFolders.beside(model));
            TokenMaps maps = new WordMapping(sd, folders).map(Images.fromBufferedImage(image), settings, progress(err), () -> false);
            TokenMapFiles.write(List.of(maps), dir, threshold);
            out.println(summary(maps, dir, threshold));
        }
    }

    private static ProgressListener progress(PrintStream err) {
        return new ProgressListener() {
            @Override
            public void step(int done, int total, double seconds) {
                err.printf("UNet call %d/%d, %.1f s%n", done, total, seconds);
            }
        };
    }

    /** The output folder, the image size and each word with its mask's share of the image. */
    private static JsonObject summary(TokenMaps maps, Path dir, double threshold) {
        JsonObject o = new JsonObject();
        o.addProperty("maps", dir.toString());
        o.addProperty("width", maps.imageWidth());
        o.addProperty("height", maps.imageHeight());
        JsonArray words = new JsonArray();
        for (TokenMaps.LabelledMap w : maps.wordMaps()) {
            JsonObject word = new JsonObject();
            word.addProperty("word", w.label());
            word.addProperty("area", w.mask(threshold).meanNumber().doubleValue());
            words.add(word);
        }
        o.add("words", words);
        return o;
    }
}
