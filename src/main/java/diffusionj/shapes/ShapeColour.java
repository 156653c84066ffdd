package diffusionj.shapes;

import java.awt.Color;

/**
 * The named colours of the dataset: saturated, with hues far apart (at least 40°), so that a colour
 * can be told from a generated image by hue alone. Backgrounds are unsaturated and never confused with them.
 */
public enum ShapeColour {
    RED(new Color(220, 30, 30)),
    ORANGE(new Color(240, 140, 20)),
    YELLOW(new Color(235, 215, 30)),
    GREEN(new Color(40, 170, 50)),
    CYAN(new Color(30, 200, 210)),
    BLUE(new Color(35, 70, 220)),
    PURPLE(new Color(150, 50, 200)),
    PINK(new Color(235, 80, 170));

    public final Color rgb;

    ShapeColour(Color rgb) {
        this.rgb = rgb;
    }

    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Hue in degrees, 0–360. */
    public double hue() {
        float[] hsb = Color.RGBtoHSB(rgb.getRed(), rgb.getGreen(), rgb.getBlue(), null);
        return hsb[0] * 360.0;
    }
}
