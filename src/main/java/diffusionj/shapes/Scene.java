package diffusionj.shapes;

import java.awt.Color;
import java.util.List;

/**
 * A picture of the dataset: 1–3 objects in distinct cells on a plain or two-tone background (split
 * vertically when {@code split} is true and the second tone differs).
 */
public record Scene(List<SceneObject> objects, Color background, Color secondTone, boolean splitVertically) {
}
