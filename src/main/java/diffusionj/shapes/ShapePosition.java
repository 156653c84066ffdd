package diffusionj.shapes;

/**
 * Where an object sits: the nine cells of a 3 × 3 grid, named as captions name them. Centres are in
 * units of the image side.
 */
public enum ShapePosition {
    TOP_LEFT(0, 0), TOP(1, 0), TOP_RIGHT(2, 0),
    LEFT(0, 1), CENTER(1, 1), RIGHT(2, 1),
    BOTTOM_LEFT(0, 2), BOTTOM(1, 2), BOTTOM_RIGHT(2, 2);

    public final int column;
    public final int row;

    ShapePosition(int column, int row) {
        this.column = column;
        this.row = row;
    }

    /** "top left", "center", … */
    public String words() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }

    public double centerX() {
        return (column + 0.5) / 3;
    }

    public double centerY() {
        return (row + 0.5) / 3;
    }

    /** The cell that holds the point (x, y), in units of the image side. */
    public static ShapePosition at(double x, double y) {
        int c = Math.max(0, Math.min(2, (int) (x * 3)));
        int r = Math.max(0, Math.min(2, (int) (y * 3)));
        for (ShapePosition p : values()) {
            if (p.column == c && p.row == r) {
                return p;
            }
        }
        throw new IllegalStateException();
    }
}
