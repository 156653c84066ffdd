package diffusionj.shapes;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether a picture shows one object its caption asked for, attribute by attribute, as the checker reads
 * it: some region has the named colour; some region has the named colour and shape; such a region sits
 * in the named cell. Each attribute builds on the one before, so the three rates are nested.
 *
 * @param matches the regions of the named colour and shape (empty when the object is missing)
 */
public record ObjectVerdict(SceneObject asked, boolean colour, boolean colourAndShape, boolean position,
                            List<ShapeChecker.Detection> matches) {
    public static ObjectVerdict judge(SceneObject asked, List<ShapeChecker.Detection> found) {
        boolean colour = false;
        boolean position = false;
        List<ShapeChecker.Detection> matches = new ArrayList<>();
        for (ShapeChecker.Detection d : found) {
            SceneObject seen = d.object();
            if (seen.colour() == asked.colour()) {
                colour = true;
                if (seen.kind() == asked.kind()) {
                    matches.add(d);
                    position |= seen.position() == asked.position();
                }
            }
        }
        return new ObjectVerdict(asked, colour, !matches.isEmpty(), position, List.copyOf(matches));
    }
}
