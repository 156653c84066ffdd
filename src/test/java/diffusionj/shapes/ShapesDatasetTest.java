package diffusionj.shapes;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The generator's captions and masks agree with its drawing, and the checker reads the drawings back. */
class ShapesDatasetTest {

    @Test
    void scenesAndCaptionsAreDeterministicForASeed() {
        SceneSampler a = new SceneSampler(5);
        SceneSampler b = new SceneSampler(5);
        for (int i = 0; i < 20; i++) {
            Scene s = a.next();
            assertEquals(s, b.next());
            assertEquals(a.caption(s), b.caption(s));
        }
        assertNotEquals(new SceneSampler(5).next(), new SceneSampler(6).next());
    }

    @Test
    void captionsNameEveryObjectWithSizeColourShapeAndPosition() {
        Scene s = new Scene(List.of(new SceneObject(ShapeKind.CIRCLE, ShapeColour.RED, true, ShapePosition.LEFT),
                new SceneObject(ShapeKind.SQUARE, ShapeColour.BLUE, false, ShapePosition.TOP_RIGHT)), java.awt.Color.WHITE, java.awt.Color.WHITE, true);
        assertEquals("big red circle, left, small blue square, top right", Captions.tags(s));
        assertEquals("a big red circle on the left and a small blue square in the top right", Captions.sentence(s));
    }

    /** Masked pixels have the object's colour; pixels of a colour lie in the mask of an object of that colour. */
    @Test
    void eachMaskCoversExactlyThePixelsDrawnInItsObjectsColour() {
        SceneSampler sampler = new SceneSampler(1);
        for (int i = 0; i < 30; i++) {
            Scene scene = sampler.next();
            BufferedImage image = SceneRenderer.image(scene, 64);
            Map<String, BufferedImage> masks = SceneRenderer.masks(scene, 64);
            assertEquals(scene.objects().size(), masks.size());
            for (SceneObject o : scene.objects()) {
                BufferedImage mask = masks.get(o.name());
                int inside = 0;
                for (int y = 0; y < 64; y++) {
                    for (int x = 0; x < 64; x++) {
                        boolean masked = (mask.getRGB(x, y) & 0xff) > 127;
                        boolean coloured = (image.getRGB(x, y) & 0xffffff) == (o.colour().rgb.getRGB() & 0xffffff);
                        if (masked) {
                            assertTrue(coloured, o.name() + " at " + x + "," + y);
                            inside++;
                        } else if (coloured) {
                            int px = x;
                            int py = y;
                            assertTrue(scene.objects().stream().anyMatch(other -> other != o && other.colour() == o.colour()
                                    && (masks.get(other.name()).getRGB(px, py) & 0xff) > 127), "unmasked " + o.colour() + " pixel at " + px + "," + py);
                        }
                    }
                }
                assertTrue(inside > 20, o.name() + " is drawn");
            }
        }
    }

    /** Rendered scenes are read back exactly: every object found once, with its colour, shape, size and cell. */
    @ParameterizedTest
    @ValueSource(ints = {64, 128})
    void theCheckerReadsBackEveryDrawnScene(int size) {
        SceneSampler sampler = new SceneSampler(2);
        for (int i = 0; i < 200; i++) {
            Scene scene = sampler.next();
            List<SceneObject> found = new ArrayList<>(ShapeChecker.detect(SceneRenderer.image(scene, size)).stream()
                    .map(ShapeChecker.Detection::object).toList());
            List<SceneObject> drawn = new ArrayList<>(scene.objects());
            Comparator<SceneObject> order = Comparator.comparing(SceneObject::position);
            found.sort(order);
            drawn.sort(order);
            assertEquals(drawn, found, "scene " + i + " at " + size + " px: " + Captions.tags(scene));
        }
    }
}
