package diffusionj.shapes;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Draws random scenes, reproducibly for a seed: 1–3 objects, each a distinct colour–shape pair in its
 * own grid cell, on a light or dark neutral background, half of them two-tone.
 */
public final class SceneSampler {
    private static final Color[] NEUTRALS = {
        new Color(245, 245, 245), new Color(225, 222, 215), new Color(200, 200, 200), new Color(150, 150, 150),
        new Color(90, 90, 90), new Color(40, 40, 40)};

    private final SplittableRandom random;

    public SceneSampler(long seed) {
        this.random = new SplittableRandom(seed);
    }

    public Scene next() {
        int count = 1 + random.nextInt(3);
        List<SceneObject> objects = new ArrayList<>();
        List<ShapePosition> cells = new ArrayList<>(List.of(ShapePosition.values()));
        while (objects.size() < count) {
            ShapeKind kind = pick(ShapeKind.values());
            ShapeColour colour = pick(ShapeColour.values());
            boolean taken = objects.stream().anyMatch(o -> o.kind() == kind && o.colour() == colour);
            if (!taken) {
                objects.add(new SceneObject(kind, colour, random.nextBoolean(), cells.remove(random.nextInt(cells.size()))));
            }
        }
        Color background = pick(NEUTRALS);
        Color second = random.nextBoolean() ? pick(NEUTRALS) : background;
        return new Scene(List.copyOf(objects), background, second, random.nextBoolean());
    }

    private <T> T pick(T[] values) {
        return values[random.nextInt(values.length)];
    }

    /** Tag style ("big red circle, left, small blue square, top right") or a sentence, half each. */
    public String caption(Scene scene) {
        return random.nextBoolean() ? Captions.tags(scene) : Captions.sentence(scene);
    }
}
