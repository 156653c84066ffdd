package diffusionj.cli;

import diffusionj.io.CheckpointException;
import diffusionj.shapes.Scene;
import diffusionj.shapes.SceneRenderer;
import diffusionj.shapes.SceneSampler;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * {@code make-shapes --out DIR --count N --size S --seed K}: the synthetic tag–image dataset, in the layout
 * of common fine-tuning tools: NAME.png with its caption in NAME.txt, and NAME.mask.OBJECT.png per object.
 */
final class MakeShapesCommand {
    static final String USAGE = "make-shapes --out DIR --count N --size S --seed K";

    private MakeShapesCommand() {
    }

    static void run(String[] argv, PrintStream out) {
        Args args = new Args("make-shapes", argv, 1, Set.of("--out", "--count", "--size", "--seed"), Set.of());
        Path dir = Path.of(args.required("--out"));
        int count = (int) args.integer("--count", 1000, 1, 10_000_000);
        int size = (int) args.integer("--size", 64, 32, 1024);
        long seed = args.integer("--seed", 0, 0, Long.MAX_VALUE);
        SceneSampler sampler = new SceneSampler(seed);
        int digits = String.valueOf(count - 1).length();
        try {
            Files.createDirectories(dir);
            for (int i = 0; i < count; i++) {
                Scene scene = sampler.next();
                String name = String.format("%0" + digits + "d", i);
                ImageIO.write(SceneRenderer.image(scene, size), "png", dir.resolve(name + ".png").toFile());
                Files.writeString(dir.resolve(name + ".txt"), sampler.caption(scene) + "\n", StandardCharsets.UTF_8);
                for (Map.Entry<String, BufferedImage> mask : SceneRenderer.masks(scene, size).entrySet()) {
                    ImageIO.write(mask.getValue(), "png", dir.resolve(name + ".mask." + mask.getKey() + ".png").toFile());
                }
            }
        } catch (IOException e) {
            throw new CheckpointException("cannot write the dataset to " + dir + ": " + e.getMessage(), e);
        }
        out.println("{\"images\": " + count + ", \"size\": " + size + ", \"seed\": " + seed + ", \"out\": \"" + dir + "\"}");
    }
}
