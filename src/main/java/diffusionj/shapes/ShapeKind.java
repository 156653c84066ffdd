package diffusionj.shapes;

/** The flat shapes of the synthetic tag–image dataset. */
public enum ShapeKind {
    CIRCLE, SQUARE, TRIANGLE, STAR, RING;

    /** The caption word: "circle", "square", … */
    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
