package diffusionj.lm;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;

/** GPT-2's byte-level BPE vocabulary (50257 tokens, {@code r50k_base}) through the jtokkit library. */
public final class Gpt2Tokenizer {
    /** {@code <|endoftext|>}: starts generation from an empty text. */
    public static final int END_OF_TEXT = 50256;

    private final Encoding encoding = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.R50K_BASE);

    public long[] encode(String text) {
        int[] ids = encoding.encodeOrdinary(text).toArray();
        long[] out = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = ids[i];
        }
        return out;
    }

    public String decode(long[] ids) {
        IntArrayList list = new IntArrayList(ids.length);
        for (long id : ids) {
            list.add((int) id);
        }
        return encoding.decode(list);
    }

    public String tokenText(long id) {
        return decode(new long[]{id});
    }
}
