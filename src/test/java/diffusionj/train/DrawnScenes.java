package diffusionj.train;

import diffusionj.shapes.Scene;
import diffusionj.shapes.SceneRenderer;
import diffusionj.shapes.SceneSampler;

import javax.imageio.ImageIO;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A small training folder of drawn scenes, NAME.png with its caption in NAME.txt, as make-shapes writes them. */
final class DrawnScenes {
    private DrawnScenes() {
    }

    static Path write(Path dir, int count, int size, long seed) throws IOException {
        Files.createDirectories(dir);
        SceneSampler sampler = new SceneSampler(seed);
        for (int i = 0; i < count; i++) {
            Scene scene = sampler.next();
            ImageIO.write(SceneRenderer.image(scene, size), "png", dir.resolve(i + ".png").toFile());
            Files.writeString(dir.resolve(i + ".txt"), sampler.caption(scene));
        }
        return dir;
    }
}
