package diffusionj.evaluation;

import diffusionj.io.CheckpointException;
import diffusionj.shapes.Scene;
import diffusionj.shapes.SceneSampler;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Scenes for measuring a shapes model on captions it never saw: drawn by the dataset's own sampler with
 * another seed, dropping every caption that appears in the model's {@code training_captions.txt} (and
 * repeats), so that a good score cannot come from memorised pairs.
 */
public final class HeldOutScenes {
    public record Captioned(Scene scene, String caption) {
    }

    private HeldOutScenes() {
    }

    public static List<Captioned> draw(Path modelFolder, int count, long seed) {
        Set<String> excluded = new HashSet<>(trainingCaptions(modelFolder));
        SceneSampler sampler = new SceneSampler(seed);
        List<Captioned> out = new ArrayList<>();
        while (out.size() < count) {
            Scene scene = sampler.next();
            String caption = sampler.caption(scene);
            if (excluded.add(caption)) {
                out.add(new Captioned(scene, caption));
            }
        }
        return out;
    }

    /** The captions the model in {@code modelFolder} was trained on. */
    public static List<String> trainingCaptions(Path modelFolder) {
        Path file = modelFolder.resolve("training_captions.txt");
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(modelFolder + " has no training_captions.txt: the evaluation holds out the captions a model"
                    + " was trained on, so it needs a model made by 'train' (such as the embedded one)");
        }
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
