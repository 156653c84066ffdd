package diffusionj.text;

import java.nio.charset.StandardCharsets;

/**
 * The reversible byte → character table of byte-level BPE (GPT-2, CLIP): printable Latin-1 bytes stand
 * for themselves, the other 68 bytes are moved to code points from U+0100 on, so every UTF-8 byte
 * sequence becomes a string of visible characters that BPE merges can work on.
 */
public final class ByteLevelAlphabet {
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[512];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int shifted = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (256 + shifted++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevelAlphabet() {
    }

    /** The UTF-8 bytes of {@code text}, one alphabet character each. */
    public static String encode(String text) {
        return encode(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Raw bytes, one alphabet character each (a vocabulary entry need not be whole UTF-8). */
    public static String encode(byte[] bytes) {
        char[] out = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = BYTE_TO_CHAR[bytes[i] & 0xff];
        }
        return new String(out);
    }

    /** Inverse of {@link #encode}; characters outside the alphabet are kept as they are. */
    public static String decode(String symbols) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(symbols.length());
        for (int i = 0; i < symbols.length(); i++) {
            char c = symbols.charAt(i);
            if (c < CHAR_TO_BYTE.length && CHAR_TO_BYTE[c] >= 0) {
                bytes.write(CHAR_TO_BYTE[c]);
            } else {
                byte[] raw = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(raw, 0, raw.length);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
