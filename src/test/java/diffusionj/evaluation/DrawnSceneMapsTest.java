package diffusionj.evaluation;

import diffusionj.io.EmbeddedModel;
import diffusionj.io.ExtraNetworkFolders;
import diffusionj.pipeline.ProgressListener;
import diffusionj.pipeline.StableDiffusion;
import diffusionj.pipeline.WordMapSettings;
import diffusionj.pipeline.WordMapping;
import diffusionj.shapes.Scene;
import diffusionj.shapes.SceneObject;
import diffusionj.shapes.SceneRenderer;
import diffusionj.shapes.ShapeColour;
import diffusionj.shapes.ShapeKind;
import diffusionj.shapes.ShapePosition;
import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The drawn-scene word-map evaluation: its baseline on answers known by construction, and what it counts. */
class DrawnSceneMapsTest {
    private static final SceneObject RED_CIRCLE = new SceneObject(ShapeKind.CIRCLE, ShapeColour.RED, true, ShapePosition.LEFT);
    private static final SceneObject RED_SQUARE = new SceneObject(ShapeKind.SQUARE, ShapeColour.RED, false, ShapePosition.TOP_RIGHT);
    private static final SceneObject BLUE_STAR = new SceneObject(ShapeKind.STAR, ShapeColour.BLUE, true, ShapePosition.BOTTOM);
    private static final Scene DRAWN = new Scene(List.of(RED_CIRCLE, RED_SQUARE, BLUE_STAR), new Color(200, 200, 200), new Color(40, 40, 40), false);

    @Test
    void theHueBaselineFindsEachDrawnColourExactly() {
        BufferedImage image = SceneRenderer.image(DRAWN, 64);
        var masks = SceneRenderer.masks(DRAWN, 64);
        boolean[] red = truth(masks.get(RED_CIRCLE.name()), masks.get(RED_SQUARE.name()));
        boolean[] blue = truth(masks.get(BLUE_STAR.name()));
        assertEquals(1.0, AdherenceEvaluation.iou(DrawnSceneMaps.hueMask(image, ShapeColour.RED.hue(), false), red), 1e-9);
        assertEquals(1.0, AdherenceEvaluation.iou(DrawnSceneMaps.hueMask(image, ShapeColour.BLUE.hue(), false), blue), 1e-9);
        assertEquals(0.0, AdherenceEvaluation.iou(DrawnSceneMaps.hueMask(image, ShapeColour.GREEN.hue(), false), red), 1e-9);
        boolean[] circle = truth(masks.get(RED_CIRCLE.name()));
        double all = AdherenceEvaluation.iou(DrawnSceneMaps.hueMask(image, 0, true), circle);
        assertTrue(all > 0.3 && all < 1, "every coloured pixel covers the circle and the other objects: " + all);
    }

    @Test
    void everyColourAndShapeWordOfEachCaptionIsScored() {
        List<HeldOutScenes.Captioned> scenes = List.of(new HeldOutScenes.Captioned(DRAWN,
                "a big red circle on the left, a small red square in the top right and a big blue star at the bottom"));
        try (StableDiffusion sd = StableDiffusion.load(EmbeddedModel.resolve(EmbeddedModel.NAME), null)) {
            DrawnSceneMaps evaluation = new DrawnSceneMaps(new WordMapping(sd, ExtraNetworkFolders.NONE),
                    new WordMapSettings("", "", new int[]{300}, 1, 1, 1, 0, 1), 64, 0.4);
            DrawnSceneMaps.Result r = evaluation.run(scenes, ProgressListener.NONE, () -> false);
            assertEquals(2, r.colour.count(), "red and blue (red once, though it names two objects)");
            assertEquals(3, r.shape.count());
            assertEquals(1.0, r.baselineColour.value(), 1e-9);
            assertTrue(r.all() >= 0 && r.all() <= 1);
            assertTrue(r.table(evaluation.describe(1)).contains("| colour | "), r.table(""));
        }
    }

    private static boolean[] truth(BufferedImage... masks) {
        boolean[] t = new boolean[64 * 64];
        for (BufferedImage m : masks) {
            for (int p = 0; p < t.length; p++) {
                t[p] |= m.getRaster().getSample(p % 64, p / 64, 0) > 127;
            }
        }
        return t;
    }
}
