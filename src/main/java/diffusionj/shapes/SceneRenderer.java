package diffusionj.shapes;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.Area;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.Map;

/** Draws a scene at a given size, and each object's ground-truth mask (objects never overlap). */
public final class SceneRenderer {
    private SceneRenderer() {
    }

    public static BufferedImage image(Scene scene, int size) {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = graphics(image);
        g.setColor(scene.background());
        g.fillRect(0, 0, size, size);
        g.setColor(scene.secondTone());
        if (scene.splitVertically()) {
            g.fillRect(size / 2, 0, size - size / 2, size);
        } else {
            g.fillRect(0, size / 2, size, size - size / 2);
        }
        for (SceneObject o : scene.objects()) {
            g.setColor(o.colour().rgb);
            g.fill(outline(o, size));
        }
        g.dispose();
        return image;
    }

    /** Per object (by {@link SceneObject#name()}): a black-and-white mask, white where the object is. */
    public static Map<String, BufferedImage> masks(Scene scene, int size) {
        Map<String, BufferedImage> masks = new LinkedHashMap<>();
        for (SceneObject o : scene.objects()) {
            BufferedImage mask = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
            Graphics2D g = graphics(mask);
            g.setColor(Color.WHITE);
            g.fill(outline(o, size));
            g.dispose();
            masks.put(o.name(), mask);
        }
        return masks;
    }

    private static Graphics2D graphics(BufferedImage image) {
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
        g.setStroke(new BasicStroke(1));
        return g;
    }

    /** The object's outline in pixels, centred in its cell. */
    static Shape outline(SceneObject o, int size) {
        double d = o.extent() * size;
        double cx = o.position().centerX() * size;
        double cy = o.position().centerY() * size;
        double x = cx - d / 2;
        double y = cy - d / 2;
        return switch (o.kind()) {
            case CIRCLE -> new Ellipse2D.Double(x, y, d, d);
            case SQUARE -> new Rectangle2D.Double(x + d * 0.06, y + d * 0.06, d * 0.88, d * 0.88);
            case TRIANGLE -> polygon(new double[]{cx, x + d, x}, new double[]{y, y + d, y + d});
            case STAR -> star(cx, cy, d / 2, d / 2 * 0.45);
            case RING -> ring(x, y, d);
        };
    }

    private static Shape polygon(double[] xs, double[] ys) {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(xs[0], ys[0]);
        for (int i = 1; i < xs.length; i++) {
            p.lineTo(xs[i], ys[i]);
        }
        p.closePath();
        return p;
    }

    /** Five points, inner radius 0.45 of the outer: the classic star. */
    private static Shape star(double cx, double cy, double outer, double inner) {
        double[] xs = new double[10];
        double[] ys = new double[10];
        for (int i = 0; i < 10; i++) {
            double r = i % 2 == 0 ? outer : inner;
            double a = -Math.PI / 2 + i * Math.PI / 5;
            xs[i] = cx + r * Math.cos(a);
            ys[i] = cy + r * Math.sin(a) + outer * 0.1;
        }
        return polygon(xs, ys);
    }

    /** A disc with a hole of half its diameter. */
    private static Shape ring(double x, double y, double d) {
        Area ring = new Area(new Ellipse2D.Double(x, y, d, d));
        ring.subtract(new Area(new Ellipse2D.Double(x + d / 4, y + d / 4, d / 2, d / 2)));
        return ring;
    }
}
