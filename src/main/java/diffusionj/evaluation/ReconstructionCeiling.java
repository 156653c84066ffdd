package diffusionj.evaluation;

import diffusionj.pipeline.Images;
import diffusionj.shapes.ObjectVerdict;
import diffusionj.shapes.SceneObject;
import diffusionj.shapes.SceneRenderer;
import diffusionj.shapes.ShapeChecker;
import diffusionj.vae.ImageCodec;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;

/**
 * The most a model diffusing in a codec's space can score: the checker's verdicts on held-out scenes as drawn and
 * as the codec gives them back (encode, then decode). A learned autoencoder that blurs a small star into a blob caps
 * colour and shape below what any diffusion model in its space could learn; the pixel unshuffle is lossless.
 */
public final class ReconstructionCeiling {
    private final int[] drawn = new int[3];
    private final int[] reconstructed = new int[3];
    private int objects;

    private ReconstructionCeiling() {
    }

    /** @return a Markdown table: colour, colour + shape and position rates of the drawn and the reconstructed scenes */
    public static String table(List<HeldOutScenes.Captioned> scenes, ImageCodec codec, int size, String codecName) {
        ReconstructionCeiling c = new ReconstructionCeiling();
        for (HeldOutScenes.Captioned scene : scenes) {
            BufferedImage image = SceneRenderer.image(scene.scene(), size);
            BufferedImage back = Images.toBufferedImage(Images.toArgb(Images.toLevels(codec.decode(codec.encode(Images.fromBufferedImage(image)))), 0));
            List<ShapeChecker.Detection> seen = ShapeChecker.detect(image);
            List<ShapeChecker.Detection> seenBack = ShapeChecker.detect(back);
            for (SceneObject o : scene.scene().objects()) {
                c.objects++;
                count(ObjectVerdict.judge(o, seen), c.drawn);
                count(ObjectVerdict.judge(o, seenBack), c.reconstructed);
            }
        }
        return String.format(Locale.ROOT, "%d held-out scenes, %d objects, %d², passed through %s%n%n", scenes.size(), c.objects, size, codecName)
                + "| pictures | colour | colour + shape | + position |\n|---|---|---|---|\n"
                + c.row("drawn", c.drawn) + c.row("reconstructed", c.reconstructed);
    }

    private static void count(ObjectVerdict v, int[] tally) {
        tally[0] += v.colour() ? 1 : 0;
        tally[1] += v.colourAndShape() ? 1 : 0;
        tally[2] += v.position() ? 1 : 0;
    }

    private String row(String name, int[] tally) {
        StringBuilder row = new StringBuilder("| ").append(name);
        for (int hits : tally) {
            row.append(String.format(Locale.ROOT, " | %.1f %% (%d/%d)", 100.0 * hits / objects, hits, objects));
        }
        return row.append(" |\n").toString();
    }
}
