package diffusionj.lm;

import diffusionj.text.ClipTokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Word completion from a Stable Diffusion model's CLIP vocabulary: every whole word the tokenizer knows,
 * most frequent first (BPE merge rank: merges learned earlier join more frequent pairs). These are the
 * words the text encoder sees as one token, so they are the cheapest words to prompt with.
 */
public final class ClipWordCompleter {
    private final List<ClipTokenizer.VocabularyWord> words;

    public ClipWordCompleter(ClipTokenizer tokenizer) {
        this.words = tokenizer.words();
    }

    /** Vocabulary words that start with {@code prefix} (case ignored) and are longer than it. */
    public List<ClipTokenizer.VocabularyWord> complete(String prefix, int limit) {
        String p = prefix.toLowerCase(Locale.ROOT);
        List<ClipTokenizer.VocabularyWord> out = new ArrayList<>();
        if (p.isEmpty()) {
            return out;
        }
        for (ClipTokenizer.VocabularyWord w : words) {
            if (out.size() >= limit) {
                break;
            }
            if (w.word().length() > p.length() && w.word().startsWith(p)) {
                out.add(w);
            }
        }
        return out;
    }

    public int size() {
        return words.size();
    }
}
