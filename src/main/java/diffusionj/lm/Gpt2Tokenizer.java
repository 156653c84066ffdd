package diffusionj.lm;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * GPT-2's byte-level BPE. A model folder with its own {@code vocab.json} + {@code merges.txt} (a fine-tune
 * with added tokens, a prompt generator) is read from those; otherwise GPT-2's 50257-token vocabulary,
 * {@code r50k_base}, comes from the jtokkit library.
 */
public interface Gpt2Tokenizer {
    /** GPT-2's {@code <|endoftext|>}: generation from an empty text starts after it. */
    int END_OF_TEXT = 50256;

    long[] encode(String text);

    String decode(long[] ids);

    /** The id of {@code <|endoftext|>} in this vocabulary. */
    int endOfText();

    default String tokenText(long id) {
        return decode(new long[]{id});
    }

    /** The text's ids, or {@code <|endoftext|>} alone for an empty text (the model needs one position). */
    default long[] encodeOrStart(String text) {
        return text.isEmpty() ? new long[]{endOfText()} : encode(text);
    }

    static Gpt2Tokenizer r50kBase() {
        return new JtokkitTokenizer();
    }

    /** The folder's own vocabulary when it has {@code vocab.json} and {@code merges.txt}, else {@code r50k_base}. */
    static Gpt2Tokenizer forModel(Path folder) {
        boolean own = Files.isRegularFile(folder.resolve("vocab.json")) && Files.isRegularFile(folder.resolve("merges.txt"));
        return own ? BpeFilesTokenizer.load(folder) : r50kBase();
    }
}
