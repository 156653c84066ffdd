package diffusionj.evaluation;

import diffusionj.attention.TokenMaps;
import diffusionj.pipeline.Images;
import diffusionj.pipeline.ProgressListener;
import diffusionj.pipeline.WordMapSettings;
import diffusionj.pipeline.WordMapping;
import diffusionj.shapes.SceneObject;
import diffusionj.shapes.SceneRenderer;
import diffusionj.shapes.ShapeColour;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;

/**
 * Word maps of images the model did not make, against the truth: each held-out scene is drawn (never generated),
 * mapped with its caption as the prompt, and every colour and shape word's mask (τ) is compared with the union of
 * the ground-truth masks of the objects it names. Beside it, a baseline that needs no model: a colour word's mask
 * is the pixels of that hue (saturated, ±20° — the dataset's hues are at least 40° apart); a shape word's is every
 * saturated pixel, i.e. all objects, since colour alone cannot tell a circle from a square.
 */
public final class DrawnSceneMaps {
    private static final double[] THRESHOLDS = {0.2, 0.4, 0.6, 0.8};
    private final WordMapping mapping;
    private final WordMapSettings settings;
    private final int size;
    private final double threshold;

    public DrawnSceneMaps(WordMapping mapping, WordMapSettings settings, int size, double threshold) {
        this.mapping = mapping;
        this.settings = settings;
        this.size = size;
        this.threshold = threshold;
    }

    /** The mean IoUs of the maps and of the baseline, colour and shape words apart. */
    public static final class Result {
        final EvaluationReport.Mean colour = new EvaluationReport.Mean();
        final EvaluationReport.Mean shape = new EvaluationReport.Mean();
        final EvaluationReport.Mean baselineColour = new EvaluationReport.Mean();
        final EvaluationReport.Mean baselineShape = new EvaluationReport.Mean();
        final EvaluationReport.Mean pointing = new EvaluationReport.Mean();
        final EvaluationReport.Mean chance = new EvaluationReport.Mean();
        /** All words' mean IoU at other thresholds than the evaluated one: how τ trades a mask's reach for its precision. */
        final java.util.Map<Double, EvaluationReport.Mean> atThreshold = new java.util.TreeMap<>();

        public double all() {
            EvaluationReport.Mean all = new EvaluationReport.Mean();
            all.merge(colour);
            all.merge(shape);
            return all.value();
        }

        public String table(String describe) {
            StringBuilder t = new StringBuilder(describe).append("\n\n| words | word maps, mean IoU | baseline (hue; shape: all coloured pixels) |\n|---|---|---|\n");
            row(t, "colour", colour, baselineColour);
            row(t, "shape", shape, baselineShape);
            row(t, "all", merged(colour, shape), merged(baselineColour, baselineShape));
            t.append(String.format(Locale.ROOT, "%nPointing game (the map's strongest pixel lies on a named object): %.1f %% of %d maps;"
                    + " by chance (the objects' share of the image) %.1f %%.%n", 100 * pointing.value(), pointing.count(), 100 * chance.value()));
            t.append("Mean IoU, all words, by threshold:");
            atThreshold.forEach((tau, mean) -> t.append(String.format(Locale.ROOT, " τ %.1f: %.3f;", tau, mean.value())));
            return t.append('\n').toString();
        }

        private static EvaluationReport.Mean merged(EvaluationReport.Mean a, EvaluationReport.Mean b) {
            EvaluationReport.Mean m = new EvaluationReport.Mean();
            m.merge(a);
            m.merge(b);
            return m;
        }

        private static void row(StringBuilder t, String words, EvaluationReport.Mean maps, EvaluationReport.Mean baseline) {
            t.append("| ").append(words).append(" | ").append(maps.format()).append(" | ").append(baseline.format()).append(" |\n");
        }
    }

    public Result run(List<HeldOutScenes.Captioned> scenes, ProgressListener progress, BooleanSupplier cancelled) {
        Result result = new Result();
        long start = System.nanoTime();
        for (int i = 0; i < scenes.size(); i++) {
            HeldOutScenes.Captioned c = scenes.get(i);
            BufferedImage image = SceneRenderer.image(c.scene(), size);
            WordMapSettings s = new WordMapSettings(c.caption(), settings.negativePrompt(), settings.timesteps(), settings.draws(),
                    settings.steps(), settings.guidance(), settings.seed() + i, settings.clipSkip());
            TokenMaps maps = mapping.map(Images.fromBufferedImage(image), s, ProgressListener.NONE, cancelled);
            compare(c, image, maps, result);
            progress.step(i + 1, scenes.size(), (System.nanoTime() - start) / 1e9);
        }
        return result;
    }

    private void compare(HeldOutScenes.Captioned c, BufferedImage image, TokenMaps maps, Result result) {
        java.util.Map<String, BufferedImage> truths = SceneRenderer.masks(c.scene(), size);
        List<SceneObject> objects = c.scene().objects();
        for (TokenMaps.LabelledMap word : maps.wordMaps()) {
            boolean[] colourTruth = new boolean[size * size];
            boolean[] shapeTruth = new boolean[size * size];
            ShapeColour named = null;
            boolean shapeWord = false;
            for (int o = 0; o < objects.size(); o++) {
                if (objects.get(o).colour().word().equals(word.label())) {
                    named = objects.get(o).colour();
                    union(colourTruth, truths.get(objects.get(o).name()));
                }
                if (objects.get(o).kind().word().equals(word.label())) {
                    shapeWord = true;
                    union(shapeTruth, truths.get(objects.get(o).name()));
                }
            }
            float[] mask = word.mask(threshold).dup('c').data().asFloat();
            if (named != null || shapeWord) {
                boolean[] truth = named != null ? colourTruth : shapeTruth;
                result.pointing.add(truth[argmax(word.map())] ? 1 : 0);
                result.chance.add(share(truth));
                for (double tau : THRESHOLDS) {
                    float[] m = word.mask(tau).dup('c').data().asFloat();
                    result.atThreshold.computeIfAbsent(tau, k -> new EvaluationReport.Mean()).add(AdherenceEvaluation.iou(m, truth));
                }
            }
            if (named != null) {
                result.colour.add(AdherenceEvaluation.iou(mask, colourTruth));
                result.baselineColour.add(AdherenceEvaluation.iou(hueMask(image, named.hue(), false), colourTruth));
            }
            if (shapeWord) {
                result.shape.add(AdherenceEvaluation.iou(mask, shapeTruth));
                result.baselineShape.add(AdherenceEvaluation.iou(hueMask(image, 0, true), shapeTruth));
            }
        }
    }

    private static int argmax(org.nd4j.linalg.api.ndarray.INDArray map) {
        return map.reshape(map.length()).argMax(0).getInt(0);
    }

    private static double share(boolean[] truth) {
        int n = 0;
        for (boolean t : truth) {
            n += t ? 1 : 0;
        }
        return n / (double) truth.length;
    }

    private static void union(boolean[] truth, BufferedImage mask) {
        int w = mask.getWidth();
        for (int p = 0; p < truth.length; p++) {
            truth[p] |= mask.getRaster().getSample(p % w, p / w, 0) > 127;
        }
    }

    /** 1 where a pixel is saturated and, unless {@code anyHue}, within 20° of {@code hue}. */
    static float[] hueMask(BufferedImage image, double hue, boolean anyHue) {
        int w = image.getWidth();
        float[] mask = new float[w * image.getHeight()];
        float[] hsb = new float[3];
        for (int p = 0; p < mask.length; p++) {
            Color c = new Color(image.getRGB(p % w, p / w));
            Color.RGBtoHSB(c.getRed(), c.getGreen(), c.getBlue(), hsb);
            double distance = Math.abs(hsb[0] * 360 - hue);
            boolean near = anyHue || Math.min(distance, 360 - distance) <= 20;
            mask[p] = hsb[1] >= 0.4 && hsb[2] >= 0.25 && near ? 1 : 0;
        }
        return mask;
    }

    public String describe(int scenes) {
        return String.format(Locale.ROOT, "%d drawn held-out scenes at %d×%d, timesteps %s, %d draw(s), %d step(s), CFG %.1f, τ = %.2f",
                scenes, size, size, WordMapSettings.formatTimesteps(settings.timesteps()), settings.draws(), settings.steps(),
                settings.guidance(), threshold);
    }
}
