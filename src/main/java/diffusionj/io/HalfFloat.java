package diffusionj.io;

import java.nio.ByteBuffer;

/** Widening of the 16-bit float formats that checkpoints are stored in (IEEE half, bfloat16) to float32. */
final class HalfFloat {
    private HalfFloat() {
    }

    /** Every binary16 value widened once: a table lookup per weight instead of bit arithmetic. */
    private static final float[] F16_TABLE = new float[1 << 16];

    static {
        for (int bits = 0; bits < F16_TABLE.length; bits++) {
            F16_TABLE[bits] = f16((short) bits);
        }
    }

    /** IEEE half → float32, read in bulk from the (memory-mapped) little-endian data. */
    static float[] f16ToFloats(ByteBuffer littleEndian, int count) {
        short[] raw = new short[count];
        littleEndian.asShortBuffer().get(raw);
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            out[i] = F16_TABLE[raw[i] & 0xffff];
        }
        return out;
    }

    /** bfloat16 → float32: the 16 bits are the upper half of the float32. */
    static float[] bf16ToFloats(ByteBuffer littleEndian, int count) {
        short[] raw = new short[count];
        littleEndian.asShortBuffer().get(raw);
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            out[i] = Float.intBitsToFloat((raw[i] & 0xffff) << 16);
        }
        return out;
    }

    /** IEEE 754 binary16, subnormals, infinities and NaN included. */
    static float f16(short bits) {
        int h = bits & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    /** Round-to-nearest-even narrowing, used by the writer for float16 files. */
    static short toF16(float value) {
        int f = Float.floatToIntBits(value);
        int sign = (f >>> 16) & 0x8000;
        int exponent = ((f >>> 23) & 0xff) - 127 + 15;
        int mantissa = f & 0x7fffff;
        if (((f >>> 23) & 0xff) == 0xff) {
            return (short) (sign | 0x7c00 | (mantissa != 0 ? 0x200 : 0));
        }
        if (exponent >= 0x1f) {
            return (short) (sign | 0x7c00);
        }
        if (exponent <= 0) {
            if (exponent < -10) {
                return (short) sign;
            }
            mantissa |= 0x800000;
            int shift = 14 - exponent;
            int half = mantissa >>> shift;
            int rest = mantissa & ((1 << shift) - 1);
            int midpoint = 1 << (shift - 1);
            if (rest > midpoint || (rest == midpoint && (half & 1) == 1)) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = sign | (exponent << 10) | (mantissa >>> 13);
        int rest = mantissa & 0x1fff;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1)) {
            half++;
        }
        return (short) half;
    }
}
