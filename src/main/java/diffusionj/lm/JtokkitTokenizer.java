package diffusionj.lm;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;

/** GPT-2's own vocabulary, {@code r50k_base}, as the jtokkit library ships it (no files needed). */
final class JtokkitTokenizer implements Gpt2Tokenizer {
    private final Encoding encoding = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.R50K_BASE);

    @Override
    public long[] encode(String text) {
        int[] ids = encoding.encodeOrdinary(text).toArray();
        long[] out = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = ids[i];
        }
        return out;
    }

    @Override
    public String decode(long[] ids) {
        IntArrayList list = new IntArrayList(ids.length);
        for (long id : ids) {
            list.add((int) id);
        }
        return encoding.decode(list);
    }

    @Override
    public int endOfText() {
        return END_OF_TEXT;
    }
}
