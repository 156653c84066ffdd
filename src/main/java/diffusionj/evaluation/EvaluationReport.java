package diffusionj.evaluation;

import diffusionj.shapes.ObjectVerdict;

import java.util.List;
import java.util.Locale;

/**
 * The tallies of an evaluation and their table, with the targets of issue 6 beside each measured number
 * so that a miss is plain to see.
 */
public final class EvaluationReport {
    private int images;
    private int objects;
    private int colour;
    private int colourAndShape;
    private int position;
    private int negatedPairs;
    private int presentWithout;
    private int presentWith;
    private final Mean colourWordIou = new Mean();
    private final Mean shapeWordIou = new Mean();

    void addImage(List<ObjectVerdict> verdicts) {
        images++;
        for (ObjectVerdict v : verdicts) {
            objects++;
            colour += v.colour() ? 1 : 0;
            colourAndShape += v.colourAndShape() ? 1 : 0;
            position += v.position() ? 1 : 0;
        }
    }

    /** One two-object prompt, generated with and without its second object as the negative prompt. */
    void addNegated(boolean withoutNegative, boolean withNegative) {
        negatedPairs++;
        presentWithout += withoutNegative ? 1 : 0;
        presentWith += withNegative ? 1 : 0;
    }

    void addColourWordIou(double iou) {
        colourWordIou.add(iou);
    }

    void addShapeWordIou(double iou) {
        shapeWordIou.add(iou);
    }

    public String table(String settings) {
        StringBuilder t = new StringBuilder();
        t.append(String.format(Locale.ROOT, "%d held-out captions, %d named objects; %s%n%n", images, objects, settings));
        t.append("| measure | result | target |\n|---|---|---|\n");
        row(t, "object of the named colour present", percent(colour, objects), "");
        row(t, "object of the named colour and shape present", percent(colourAndShape, objects), "≥ 80 %");
        row(t, "... and in the named position", percent(position, objects), "≥ 70 %");
        row(t, "second object present, no negative prompt", percent(presentWithout, negatedPairs), "(reference)");
        row(t, "second object present, negative prompt = second object", percent(presentWith, negatedPairs), "≤ 10 %");
        row(t, "token masks (τ = 0.4) mean IoU, colour words", colourWordIou.format(), "");
        row(t, "token masks (τ = 0.4) mean IoU, shape words", shapeWordIou.format(), "");
        Mean all = new Mean();
        all.merge(colourWordIou);
        all.merge(shapeWordIou);
        row(t, "token masks (τ = 0.4) mean IoU, all", all.format(), "≥ 0.65");
        return t.toString();
    }

    private static void row(StringBuilder t, String measure, String result, String target) {
        t.append("| ").append(measure).append(" | ").append(result).append(" | ").append(target).append(" |\n");
    }

    private static String percent(int hits, int total) {
        return String.format(Locale.ROOT, "%.1f %% (%d/%d)", 100 * rate(hits, total), hits, total);
    }

    private static double rate(int hits, int total) {
        return total == 0 ? Double.NaN : hits / (double) total;
    }

    /** A running mean that knows how many values it has. */
    static final class Mean {
        private double sum;
        private int count;

        void add(double v) {
            sum += v;
            count++;
        }

        void merge(Mean other) {
            sum += other.sum;
            count += other.count;
        }

        int count() {
            return count;
        }

        double value() {
            return count == 0 ? Double.NaN : sum / count;
        }

        String format() {
            return String.format(Locale.ROOT, "%.3f (%d maps)", value(), count);
        }
    }
}
