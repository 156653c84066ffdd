package diffusionj.shapes;

import java.util.ArrayList;
import java.util.List;

/**
 * Captions of a scene in the two styles people prompt with: tags ("big red circle, left, small blue
 * square, top right") and a sentence ("a big red circle on the left and a small blue square in the top
 * right"). Every object is named with its size, colour, shape and position, in drawing order.
 */
public final class Captions {
    private Captions() {
    }

    public static String tags(Scene scene) {
        List<String> parts = new ArrayList<>();
        for (SceneObject o : scene.objects()) {
            parts.add(size(o) + " " + o.colour().word() + " " + o.kind().word());
            parts.add(o.position().words());
        }
        return String.join(", ", parts);
    }

    public static String sentence(Scene scene) {
        List<String> parts = new ArrayList<>();
        for (SceneObject o : scene.objects()) {
            parts.add("a " + size(o) + " " + o.colour().word() + " " + o.kind().word() + " " + where(o.position()));
        }
        if (parts.size() == 1) {
            return parts.get(0);
        }
        return String.join(", ", parts.subList(0, parts.size() - 1)) + " and " + parts.get(parts.size() - 1);
    }

    private static String size(SceneObject o) {
        return o.big() ? "big" : "small";
    }

    /** "on the left", "in the center", "at the top", "in the top left". */
    static String where(ShapePosition p) {
        return switch (p) {
            case LEFT, RIGHT -> "on the " + p.words();
            case TOP, BOTTOM -> "at the " + p.words();
            default -> "in the " + p.words();
        };
    }
}
