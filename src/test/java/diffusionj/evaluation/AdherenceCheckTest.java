package diffusionj.evaluation;

import diffusionj.shapes.ObjectVerdict;
import diffusionj.shapes.Scene;
import diffusionj.shapes.SceneObject;
import diffusionj.shapes.SceneRenderer;
import diffusionj.shapes.ShapeChecker;
import diffusionj.shapes.ShapeColour;
import diffusionj.shapes.ShapeKind;
import diffusionj.shapes.ShapePosition;
import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The evaluation's verdicts on drawn pictures whose answers are known. */
class AdherenceCheckTest {
    private static final SceneObject RED_CIRCLE_LEFT = new SceneObject(ShapeKind.CIRCLE, ShapeColour.RED, true, ShapePosition.LEFT);
    private static final SceneObject BLUE_SQUARE_TOP_RIGHT = new SceneObject(ShapeKind.SQUARE, ShapeColour.BLUE, false, ShapePosition.TOP_RIGHT);
    private static final Scene DRAWN = new Scene(List.of(RED_CIRCLE_LEFT, BLUE_SQUARE_TOP_RIGHT), new Color(200, 200, 200),
            new Color(90, 90, 90), true);

    private final List<ShapeChecker.Detection> found = ShapeChecker.detect(SceneRenderer.image(DRAWN, 64));

    @Test
    void whatWasDrawnPassesEveryAttribute() {
        for (SceneObject o : DRAWN.objects()) {
            ObjectVerdict v = ObjectVerdict.judge(o, found);
            assertTrue(v.colour() && v.colourAndShape() && v.position(), o.toString());
            assertEquals(1, v.matches().size());
        }
    }

    @Test
    void eachWrongAttributeFailsFromWhereItIsWrong() {
        ObjectVerdict elsewhere = ObjectVerdict.judge(new SceneObject(ShapeKind.CIRCLE, ShapeColour.RED, true, ShapePosition.RIGHT), found);
        assertTrue(elsewhere.colourAndShape());
        assertFalse(elsewhere.position());

        ObjectVerdict otherShape = ObjectVerdict.judge(new SceneObject(ShapeKind.STAR, ShapeColour.RED, true, ShapePosition.LEFT), found);
        assertTrue(otherShape.colour());
        assertFalse(otherShape.colourAndShape());
        assertFalse(otherShape.position(), "a position counts only for the named shape");

        ObjectVerdict otherColour = ObjectVerdict.judge(new SceneObject(ShapeKind.CIRCLE, ShapeColour.GREEN, true, ShapePosition.LEFT), found);
        assertFalse(otherColour.colour());
        assertTrue(otherColour.matches().isEmpty());
    }

    @Test
    void aDrawnObjectsRegionMatchesItsGroundTruthMask() {
        BufferedImage truth = SceneRenderer.masks(DRAWN, 64).get(RED_CIRCLE_LEFT.name());
        boolean[] region = ObjectVerdict.judge(RED_CIRCLE_LEFT, found).matches().get(0).mask();
        float[] mask = new float[64 * 64];
        for (int p = 0; p < mask.length; p++) {
            mask[p] = truth.getRaster().getSample(p % 64, p / 64, 0) > 127 ? 1 : 0;
        }
        assertEquals(1.0, AdherenceEvaluation.iou(mask, region), 0.02);
    }

    @Test
    void iouIsIntersectionOverUnion() {
        float[] mask = {1, 1, 0, 0};
        boolean[] truth = {false, true, true, false};
        assertEquals(1 / 3.0, AdherenceEvaluation.iou(mask, truth), 1e-12);
        assertEquals(0, AdherenceEvaluation.iou(new float[4], new boolean[4]));
    }
}
