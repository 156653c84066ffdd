package diffusionj.shapes;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a picture of the shapes world back into objects, to measure prompt adherence without a learned
 * model: pixels are classified by hue into the named colours (saturated, bright enough, within 25° of a
 * colour's hue), each colour's connected regions become objects, and a region's shape follows from two
 * numbers and one row — the share of its outline-filled area that is a hole (a ring has a quarter), how
 * much of its bounding box the filled region covers (square 1, circle π/4, five-pointed star about 0.38),
 * and whether it stands on a full bottom row (a triangle's base).
 */
public final class ShapeChecker {
    /** What was found: the object, its pixel count and its mask (row-major, image size). */
    public record Detection(SceneObject object, int area, boolean[] mask) {
    }

    private static final double MIN_SATURATION = 0.45;
    private static final double MIN_BRIGHTNESS = 0.35;
    private static final double MAX_HUE_DISTANCE = 25;
    /** Regions smaller than this share of the image are noise, not objects. */
    private static final double MIN_AREA = 0.004;

    private ShapeChecker() {
    }

    public static List<Detection> detect(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        ShapeColour[] colourOf = classify(image);
        boolean[] seen = new boolean[w * h];
        List<Detection> found = new ArrayList<>();
        for (int p = 0; p < w * h; p++) {
            if (colourOf[p] != null && !seen[p]) {
                boolean[] region = grow(colourOf, seen, p, w, h);
                int area = count(region);
                if (area >= MIN_AREA * w * h) {
                    found.add(new Detection(describe(region, colourOf[p], w, h), area, region));
                }
            }
        }
        return found;
    }

    /** The named colour of each pixel, or null for background and unsure pixels. */
    static ShapeColour[] classify(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        ShapeColour[] out = new ShapeColour[w * h];
        float[] hsb = new float[3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                Color c = new Color(image.getRGB(x, y));
                Color.RGBtoHSB(c.getRed(), c.getGreen(), c.getBlue(), hsb);
                if (hsb[1] >= MIN_SATURATION && hsb[2] >= MIN_BRIGHTNESS) {
                    out[y * w + x] = nearest(hsb[0] * 360.0);
                }
            }
        }
        return out;
    }

    private static ShapeColour nearest(double hue) {
        ShapeColour best = null;
        double bestDistance = MAX_HUE_DISTANCE;
        for (ShapeColour c : ShapeColour.values()) {
            double d = Math.abs(hue - c.hue());
            d = Math.min(d, 360 - d);
            if (d <= bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        return best;
    }

    /** The 8-connected region of start's colour, marked in {@code seen}. */
    private static boolean[] grow(ShapeColour[] colourOf, boolean[] seen, int start, int w, int h) {
        boolean[] region = new boolean[w * h];
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        queue.add(start);
        seen[start] = true;
        while (!queue.isEmpty()) {
            int p = queue.poll();
            region[p] = true;
            int x = p % w;
            int y = p / w;
            for (int dy = -1; dy <= 1; dy++) {
                for (int dx = -1; dx <= 1; dx++) {
                    int nx = x + dx;
                    int ny = y + dy;
                    int q = ny * w + nx;
                    if (nx >= 0 && ny >= 0 && nx < w && ny < h && !seen[q] && colourOf[q] == colourOf[start]) {
                        seen[q] = true;
                        queue.add(q);
                    }
                }
            }
        }
        return region;
    }

    private static SceneObject describe(boolean[] region, ShapeColour colour, int w, int h) {
        int minX = w, minY = h, maxX = -1, maxY = -1;
        for (int p = 0; p < region.length; p++) {
            if (region[p]) {
                minX = Math.min(minX, p % w);
                maxX = Math.max(maxX, p % w);
                minY = Math.min(minY, p / w);
                maxY = Math.max(maxY, p / w);
            }
        }
        int bw = maxX - minX + 1;
        int bh = maxY - minY + 1;
        int area = count(region);
        int holes = holes(region, w, minX, minY, bw, bh);
        double filled = area + holes;
        double cover = filled / (bw * (double) bh);
        ShapeKind kind = holes / filled > 0.12 ? ShapeKind.RING
                : cover >= 0.88 ? ShapeKind.SQUARE
                : bottomRowCover(region, w, minX, maxY, bw) >= 0.6 ? ShapeKind.TRIANGLE
                : cover >= 0.62 ? ShapeKind.CIRCLE : ShapeKind.STAR;
        ShapePosition position = ShapePosition.at((minX + bw / 2.0) / w, (minY + bh / 2.0) / h);
        boolean big = Math.max(bw, bh) > 0.23 * Math.max(w, h);
        return new SceneObject(kind, colour, big, position);
    }

    /** A triangle stands on its base: its bottom row is nearly full, a star's has two tips, a circle's a short arc. */
    private static double bottomRowCover(boolean[] region, int w, int minX, int maxY, int bw) {
        int n = 0;
        for (int x = minX; x < minX + bw; x++) {
            n += region[maxY * w + x] ? 1 : 0;
        }
        return n / (double) bw;
    }

    /** Pixels inside the bounding box that neither belong to the region nor connect to the box's border. */
    private static int holes(boolean[] region, int w, int x0, int y0, int bw, int bh) {
        boolean[] outside = new boolean[bw * bh];
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int y = 0; y < bh; y++) {
            for (int x = 0; x < bw; x++) {
                boolean border = x == 0 || y == 0 || x == bw - 1 || y == bh - 1;
                if (border && !region[(y0 + y) * w + x0 + x]) {
                    outside[y * bw + x] = true;
                    queue.add(y * bw + x);
                }
            }
        }
        while (!queue.isEmpty()) {
            int p = queue.poll();
            int x = p % bw;
            int y = p / bw;
            int[][] steps = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}};
            for (int[] s : steps) {
                int nx = x + s[0];
                int ny = y + s[1];
                if (nx >= 0 && ny >= 0 && nx < bw && ny < bh && !outside[ny * bw + nx] && !region[(y0 + ny) * w + x0 + nx]) {
                    outside[ny * bw + nx] = true;
                    queue.add(ny * bw + nx);
                }
            }
        }
        int holes = 0;
        for (int y = 0; y < bh; y++) {
            for (int x = 0; x < bw; x++) {
                if (!outside[y * bw + x] && !region[(y0 + y) * w + x0 + x]) {
                    holes++;
                }
            }
        }
        return holes;
    }

    private static int count(boolean[] mask) {
        int n = 0;
        for (boolean b : mask) {
            if (b) {
                n++;
            }
        }
        return n;
    }
}
