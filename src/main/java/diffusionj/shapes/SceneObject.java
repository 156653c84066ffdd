package diffusionj.shapes;

/** One object of a scene: a shape in a colour, small or big, in a grid cell. */
public record SceneObject(ShapeKind kind, ShapeColour colour, boolean big, ShapePosition position) {
    /** The object's side (or diameter) in units of the image side; a big one nearly fills its cell. */
    public double extent() {
        return big ? 0.29 : 0.17;
    }

    /** "red-circle": the name of its mask file. */
    public String name() {
        return colour.word() + "-" + kind.word();
    }
}
