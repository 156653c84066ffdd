package diffusionj.ij;

import diffusionj.attention.TokenMaps;
import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.plugin.filter.ThresholdToSelection;
import ij.plugin.frame.RoiManager;
import ij.process.ByteProcessor;
import ij.process.FloatProcessor;
import ij.process.ShortProcessor;

import java.awt.Color;
import java.awt.GraphicsEnvironment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What each prompt token did, as ImageJ data: a 32-bit stack with one slice per token (label = the
 * token's text, values 0–1), each token's mask (map &gt; τ) as a named ROI, a 16-bit label image (pixel =
 * number of the strongest token above τ, 0 = none) and a colour overlay of the strongest tokens on the
 * generated image. Measure, Analyze Particles and Threshold work on all of them as on any image.
 */
final class TokenMapWindows {
    /** How many tokens the overlay on the generated image shows. */
    static final int OVERLAY_TOKENS = 5;
    private static final Color[] COLOURS = {Color.RED, Color.GREEN, Color.BLUE, Color.YELLOW, Color.MAGENTA, Color.CYAN, Color.ORANGE, Color.PINK};

    /** The three outputs; the ROIs are in {@code rois} in token order. */
    record Outputs(ImagePlus maps, ImagePlus labels, List<Roi> rois) {
    }

    private TokenMapWindows() {
    }

    static Outputs build(ImagePlus generated, TokenMaps maps, double threshold) {
        return build(generated, maps, threshold, null);
    }

    /**
     * @param region null when the maps cover the whole image; else the area selection they were made of (maps at its
     *               bounding rectangle's size): the outputs are the whole image's size, 0 outside the selection
     */
    static Outputs build(ImagePlus generated, TokenMaps maps, double threshold, Roi region) {
        List<TokenMaps.LabelledMap> tokens = maps.tokenMaps();
        if (tokens.isEmpty()) {
            throw new IllegalArgumentException("the prompt has no tokens to map");
        }
        int w = region == null ? maps.imageWidth() : generated.getWidth();
        int h = region == null ? maps.imageHeight() : generated.getHeight();
        ImageStack stack = new ImageStack(w, h);
        List<Roi> rois = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < tokens.size(); i++) {
            TokenMaps.LabelledMap t = tokens.get(i);
            float[] values = t.image().update(null).getCurrentStorageArray();
            if (region != null) {
                values = placed(values, maps.imageWidth(), maps.imageHeight(), region, w, h);
            }
            stack.addSlice(t.label(), new FloatProcessor(w, h, values));
            rois.add(maskRoi(values, w, h, threshold, uniqueName(t.label(), seen), COLOURS[i % COLOURS.length]));
        }
        ImagePlus mapImage = new ImagePlus("Token maps of " + generated.getTitle(), stack);
        mapImage.setDisplayRange(0, 1);
        mapImage.setProp("Threshold", threshold);
        ImagePlus labels = new ImagePlus("Token labels of " + generated.getTitle(), labelImage(stack, threshold));
        labels.setDisplayRange(0, tokens.size());
        labels.setProp("Labels", String.join(",", tokens.stream().map(TokenMaps.LabelledMap::label).toList()));
        generated.setOverlay(overlay(rois, strongest(maps)));
        return new Outputs(mapImage, labels, rois);
    }

    /** Values of the selection's bounding rectangle put in place in a w × h image, 0 outside the selection's shape. */
    private static float[] placed(float[] values, int mapW, int mapH, Roi region, int w, int h) {
        java.awt.Rectangle r = region.getBounds();
        ij.process.ImageProcessor inside = region.getMask();
        float[] out = new float[w * h];
        for (int y = 0; y < mapH; y++) {
            for (int x = 0; x < mapW; x++) {
                int ix = r.x + x;
                int iy = r.y + y;
                boolean in = inside == null || inside.get(x, y) != 0;
                if (in && ix >= 0 && iy >= 0 && ix < w && iy < h) {
                    out[iy * w + ix] = values[y * mapW + x];
                }
            }
        }
        return out;
    }

    /** The ROI Manager gets one ROI per token, named after it; none when headless (no window can exist). */
    static void addToRoiManager(List<Roi> rois) {
        if (GraphicsEnvironment.isHeadless()) {
            return;
        }
        RoiManager rm = ij.macro.Interpreter.isBatchMode() ? ij.macro.Interpreter.getBatchModeRoiManager() : null;
        if (rm == null) {
            rm = RoiManager.getRoiManager();
        }
        for (Roi r : rois) {
            rm.addRoi((Roi) r.clone());
            rm.rename(rm.getCount() - 1, r.getName());
        }
    }

    private static String uniqueName(String label, Map<String, Integer> seen) {
        int n = seen.merge(label, 1, Integer::sum);
        return n == 1 ? label : label + " (" + n + ")";
    }

    /** map &gt; τ as a selection; an empty mask gives an empty rectangle so every token keeps its ROI. */
    private static Roi maskRoi(float[] values, int w, int h, double threshold, String name, Color colour) {
        ByteProcessor mask = new ByteProcessor(w, h);
        for (int i = 0; i < values.length; i++) {
            mask.set(i, values[i] > threshold ? 255 : 0);
        }
        mask.setThreshold(255, 255, ByteProcessor.NO_LUT_UPDATE);
        Roi roi = ThresholdToSelection.run(new ImagePlus("mask", mask));
        if (roi == null) {
            roi = new Roi(0, 0, 0, 0);
        }
        roi.setName(name);
        roi.setStrokeColor(colour);
        return roi;
    }

    /** Per pixel, the 1-based number of the token with the highest value above τ; 0 where none is. */
    private static ShortProcessor labelImage(ImageStack stack, double threshold) {
        int w = stack.getWidth();
        int h = stack.getHeight();
        ShortProcessor labels = new ShortProcessor(w, h);
        for (int p = 0; p < w * h; p++) {
            float best = (float) threshold;
            int label = 0;
            for (int s = 1; s <= stack.getSize(); s++) {
                float v = ((float[]) stack.getPixels(s))[p];
                if (v > best) {
                    best = v;
                    label = s;
                }
            }
            labels.set(p, label);
        }
        return labels;
    }

    /** Token indices by how much attention they drew overall (mean of the latent-size map), most first. */
    private static List<Integer> strongest(TokenMaps maps) {
        double[] strength = maps.tokenStrengths();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < strength.length; i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingDouble(i -> -strength[i]));
        return order.subList(0, Math.min(OVERLAY_TOKENS, order.size()));
    }

    private static Overlay overlay(List<Roi> rois, List<Integer> strongest) {
        Overlay o = new Overlay();
        for (int i : strongest) {
            Roi r = (Roi) rois.get(i).clone();
            Color c = r.getStrokeColor();
            r.setFillColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 70));
            o.add(r);
        }
        o.drawLabels(true);
        o.drawNames(true);
        return o;
    }
}
