package diffusionj.lm;

import diffusionj.text.ClipTokenizer;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The caption completer's engine, free of any user interface: for the text before the caret it asks each
 * source for proposals — the language model for the next token, the tag list for the tag being typed
 * (the text since the last comma), the CLIP vocabulary for the word being typed — and interleaves them so
 * that every source is seen. The language model and the CLIP vocabulary are optional.
 */
public final class CaptionSuggester {
    private final TagCompleter tags;
    private final TokenPredictor lm;
    private final Gpt2Tokenizer lmTokenizer;
    private final ClipTokenizer clip;
    private final ClipWordCompleter clipWords;
    private final ExtraNetworkCompleter networks;

    /**
     * @param lm          null: only tags (and CLIP words) are proposed
     * @param clip        a model's CLIP tokenizer, or null when no Stable Diffusion model is chosen
     */
    public CaptionSuggester(TagCompleter tags, TokenPredictor lm, Gpt2Tokenizer lmTokenizer, ClipTokenizer clip) {
        this(tags, lm, lmTokenizer, clip, new ExtraNetworkCompleter(List.of(), List.of()));
    }

    /** @param networks the LoRA and embedding names to complete, proposed before every other source */
    public CaptionSuggester(TagCompleter tags, TokenPredictor lm, Gpt2Tokenizer lmTokenizer, ClipTokenizer clip, ExtraNetworkCompleter networks) {
        this.networks = networks;
        this.tags = tags;
        this.lm = lm;
        this.lmTokenizer = lmTokenizer;
        this.clip = clip;
        this.clipWords = clip == null ? null : new ClipWordCompleter(clip);
    }

    public boolean hasLanguageModel() {
        return lm != null;
    }

    public boolean hasClipVocabulary() {
        return clip != null;
    }

    public List<Suggestion> suggest(String beforeCaret, int limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("the number of suggestions must be at least 1, got " + limit);
        }
        String tagFragment = currentTag(beforeCaret);
        String word = currentWord(beforeCaret);
        List<Suggestion> names = networks.complete(beforeCaret, limit);
        if (names.size() >= limit || beforeCaret.matches("(?s).*<lora:[^:>]*")) {
            return names.subList(0, Math.min(limit, names.size()));
        }
        List<List<Suggestion>> sources = new ArrayList<>();
        sources.add(names);
        sources.add(tagSuggestions(tagFragment, limit));
        sources.add(lmSuggestions(beforeCaret, limit));
        sources.add(clipSuggestions(word, limit));
        return interleave(sources, limit);
    }

    /** The text since the last comma or line break, without leading spaces: the tag being typed. */
    static String currentTag(String text) {
        int start = Math.max(text.lastIndexOf(','), text.lastIndexOf('\n')) + 1;
        return text.substring(start).stripLeading();
    }

    /** The trailing run of letters, digits and underscores: the word being typed. */
    static String currentWord(String text) {
        int start = text.length();
        while (start > 0 && (Character.isLetterOrDigit(text.charAt(start - 1)) || text.charAt(start - 1) == '_')) {
            start--;
        }
        return text.substring(start);
    }

    private List<Suggestion> tagSuggestions(String fragment, int limit) {
        List<Suggestion> out = new ArrayList<>();
        for (TagCompleter.Suggestion s : tags.complete(fragment, limit)) {
            String tag = s.tag().replace('_', ' ');
            if (!tag.equalsIgnoreCase(fragment.strip())) {
                out.add(new Suggestion(tag, tag, fragment.length(), s.count(), Suggestion.Source.TAG, singleToken(tag)));
            }
        }
        return out;
    }

    private List<Suggestion> lmSuggestions(String text, int limit) {
        List<Suggestion> out = new ArrayList<>();
        if (lm == null) {
            return out;
        }
        long[] ids = lmTokenizer.encodeOrStart(text);
        // A caption longer than the model's context: the next word depends on the recent text, so keep its end.
        long[] recent = java.util.Arrays.copyOfRange(ids, Math.max(0, ids.length - lm.contextLength()), ids.length);
        for (TokenPredictor.Candidate c : lm.candidates(recent, limit)) {
            String token = lmTokenizer.tokenText(c.id());
            if (!token.isBlank()) {
                out.add(new Suggestion(token.strip(), token, 0, c.probability(), Suggestion.Source.LM, singleToken(token)));
            }
        }
        return out;
    }

    private List<Suggestion> clipSuggestions(String word, int limit) {
        List<Suggestion> out = new ArrayList<>();
        if (clipWords == null) {
            return out;
        }
        boolean capital = !word.isEmpty() && Character.isUpperCase(word.charAt(0));
        for (ClipTokenizer.VocabularyWord w : clipWords.complete(word, limit)) {
            String text = capital ? w.word().substring(0, 1).toUpperCase(Locale.ROOT) + w.word().substring(1) : w.word();
            out.add(new Suggestion(text, text, word.length(), w.rank(), Suggestion.Source.CLIP, singleToken(text)));
        }
        return out;
    }

    /** Whether CLIP reads the text as one token; null without a CLIP vocabulary. */
    private Boolean singleToken(String text) {
        if (clip == null) {
            return null;
        }
        return clip.encode(text).length == 1;
    }

    /** First of each source, then second of each, …, dropping repeats of the same text. */
    private static List<Suggestion> interleave(List<List<Suggestion>> sources, int limit) {
        List<Suggestion> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        List<Iterator<Suggestion>> its = sources.stream().map(List::iterator).toList();
        boolean any = true;
        while (out.size() < limit && any) {
            any = false;
            for (Iterator<Suggestion> it : its) {
                if (it.hasNext() && out.size() < limit) {
                    any = true;
                    Suggestion s = it.next();
                    if (seen.add(s.text().toLowerCase(Locale.ROOT))) {
                        out.add(s);
                    }
                }
            }
        }
        return out;
    }
}
