package diffusionj.evaluation;

import diffusionj.attention.TokenMaps;
import diffusionj.io.PngFiles;
import diffusionj.pipeline.GenerationRequest;
import diffusionj.pipeline.GenerationResult;
import diffusionj.pipeline.Images;
import diffusionj.pipeline.Pipeline;
import diffusionj.pipeline.ProgressListener;
import diffusionj.pipeline.RunOptions;
import diffusionj.pipeline.StableDiffusion;
import diffusionj.shapes.ObjectVerdict;
import diffusionj.shapes.SceneObject;
import diffusionj.shapes.ShapeChecker;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Measures a shapes model against its captions (issue 6): every held-out caption is generated once with
 * its token maps, and the checker reads the picture back. Prompt adherence counts, per named object,
 * whether its colour, colour and shape, and position came out. A two-object caption is generated a
 * second time with the same seed and its second object ("blue square") as the negative prompt, to see
 * how often the negated object still appears. Each colour and shape word's DAAM mask (τ) is compared
 * with the checker's regions of the objects that word named, where the checker found them.
 */
public final class AdherenceEvaluation {
    /** How images are generated: the same for every caption, with seeds seed, seed + 1, … */
    public record Settings(String sampler, int steps, double cfg, int size, long seed, double threshold) {
        public String describe() {
            return String.format(java.util.Locale.ROOT, "%s, %d steps, CFG %.1f, %d×%d, seeds %d…, τ = %.2f",
                    sampler, steps, cfg, size, size, seed, threshold);
        }
    }

    private final Pipeline pipeline;
    private final Settings settings;
    private final Path imagesOut;

    /** @param imagesOut where to write each generated image for inspection, or null */
    public AdherenceEvaluation(StableDiffusion model, Settings settings, Path imagesOut) {
        this.pipeline = new Pipeline(model);
        this.settings = settings;
        this.imagesOut = imagesOut;
    }

    public EvaluationReport run(List<HeldOutScenes.Captioned> scenes, ProgressListener progress, BooleanSupplier cancelled) {
        EvaluationReport report = new EvaluationReport();
        long start = System.nanoTime();
        for (int i = 0; i < scenes.size(); i++) {
            evaluate(i, scenes.get(i), report, cancelled);
            progress.step(i + 1, scenes.size(), (System.nanoTime() - start) / 1e9);
        }
        return report;
    }

    private void evaluate(int index, HeldOutScenes.Captioned c, EvaluationReport report, BooleanSupplier cancelled) {
        List<SceneObject> asked = c.scene().objects();
        GenerationResult result = generate(c.caption(), "", index, true, cancelled);
        BufferedImage image = Images.toBufferedImage(result.images().get(0));
        save(image, index, "", result);
        List<ObjectVerdict> verdicts = new ArrayList<>();
        List<ShapeChecker.Detection> found = ShapeChecker.detect(image);
        asked.forEach(o -> verdicts.add(ObjectVerdict.judge(o, found)));
        report.addImage(verdicts);
        compareMasks(result.tokenMaps().get(0), verdicts, image.getWidth() * image.getHeight(), report);
        if (asked.size() >= 2) {
            SceneObject negated = asked.get(1);
            GenerationResult without = generate(c.caption(), negated.colour().word() + " " + negated.kind().word(), index, false, cancelled);
            BufferedImage second = Images.toBufferedImage(without.images().get(0));
            save(second, index, "-negative", without);
            report.addNegated(verdicts.get(1).colourAndShape(), ObjectVerdict.judge(negated, ShapeChecker.detect(second)).colourAndShape());
        }
    }

    private GenerationResult generate(String prompt, String negative, int index, boolean maps, BooleanSupplier cancelled) {
        GenerationRequest request = new GenerationRequest(prompt, negative, settings.sampler(), settings.steps(), settings.cfg(),
                settings.seed() + index, settings.size(), settings.size(), 1, 1);
        return pipeline.generate(request, maps, RunOptions.NONE, ProgressListener.NONE, cancelled);
    }

    /** Each colour and shape word against the union of the regions found for the objects it names. */
    private void compareMasks(TokenMaps maps, List<ObjectVerdict> verdicts, int pixels, EvaluationReport report) {
        for (TokenMaps.LabelledMap word : maps.wordMaps()) {
            boolean[] truthColour = new boolean[pixels];
            boolean[] truthShape = new boolean[pixels];
            boolean colourWord = false;
            boolean shapeWord = false;
            for (ObjectVerdict v : verdicts) {
                if (v.asked().colour().word().equals(word.label())) {
                    colourWord |= union(truthColour, v.matches());
                }
                if (v.asked().kind().word().equals(word.label())) {
                    shapeWord |= union(truthShape, v.matches());
                }
            }
            float[] mask = word.mask(settings.threshold()).dup('c').data().asFloat();
            if (colourWord) {
                report.addColourWordIou(iou(mask, truthColour));
            }
            if (shapeWord) {
                report.addShapeWordIou(iou(mask, truthShape));
            }
        }
    }

    /** Adds the regions to the truth; true when there was any (a missing object has no truth to compare with). */
    private static boolean union(boolean[] truth, List<ShapeChecker.Detection> regions) {
        for (ShapeChecker.Detection d : regions) {
            for (int p = 0; p < truth.length; p++) {
                truth[p] |= d.mask()[p];
            }
        }
        return !regions.isEmpty();
    }

    static double iou(float[] mask, boolean[] truth) {
        int both = 0;
        int either = 0;
        for (int p = 0; p < truth.length; p++) {
            boolean m = mask[p] > 0;
            both += m && truth[p] ? 1 : 0;
            either += m || truth[p] ? 1 : 0;
        }
        return either == 0 ? 0 : both / (double) either;
    }

    private void save(BufferedImage image, int index, String suffix, GenerationResult result) {
        if (imagesOut != null) {
            PngFiles.write(imagesOut.resolve(String.format("%03d%s.png", index, suffix)), image, Map.of("parameters", result.parameters().get(0)));
        }
    }
}
