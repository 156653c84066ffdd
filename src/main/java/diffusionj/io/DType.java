package diffusionj.io;

import org.nd4j.linalg.api.buffer.DataType;

/** The element types of the safetensors format that DiffusionJ reads and writes. */
public enum DType {
    F64(8), F32(4), F16(2), BF16(2), I64(8), I32(4), I16(2), I8(1), U8(1), BOOL(1);

    public final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Null when {@code name} is not a safetensors dtype this reader knows. */
    static DType parse(String name) {
        for (DType d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        return null;
    }

    static DType of(DataType type) {
        return switch (type) {
            case DOUBLE -> F64;
            case FLOAT -> F32;
            case HALF -> F16;
            case BFLOAT16 -> BF16;
            case LONG -> I64;
            case INT -> I32;
            case SHORT -> I16;
            case BYTE -> I8;
            case UBYTE -> U8;
            case BOOL -> BOOL;
            default -> throw new IllegalArgumentException("no safetensors dtype for ND4J type " + type);
        };
    }
}
