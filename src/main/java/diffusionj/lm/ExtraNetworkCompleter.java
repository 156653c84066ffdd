package diffusionj.lm;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Completes what the web UIs' tag-autocomplete extension completes besides tags: after {@code <lora:} the names of
 * the LoRAs in the user's folders (inserting {@code <lora:name:1>}), and a word being typed that begins an
 * embedding's name (inserting the name).
 */
public final class ExtraNetworkCompleter {
    private static final Pattern LORA_TAG = Pattern.compile("<lora:([^:>]*)$");

    private final List<String> loras;
    private final List<String> embeddings;

    public ExtraNetworkCompleter(List<String> loras, List<String> embeddings) {
        this.loras = List.copyOf(loras);
        this.embeddings = List.copyOf(embeddings);
    }

    public List<Suggestion> complete(String beforeCaret, int limit) {
        List<Suggestion> out = new ArrayList<>();
        Matcher tag = LORA_TAG.matcher(beforeCaret);
        if (tag.find()) {
            for (String name : matching(loras, tag.group(1), limit)) {
                out.add(new Suggestion("<lora:" + name + ":1>", "<lora:" + name + ":1>", tag.group().length(), 0, Suggestion.Source.LORA, null));
            }
            return out;
        }
        String word = CaptionSuggester.currentWord(beforeCaret);
        if (!word.isEmpty()) {
            for (String name : matching(embeddings, word, limit)) {
                if (!name.equalsIgnoreCase(word)) {
                    out.add(new Suggestion(name, name, word.length(), 0, Suggestion.Source.EMBEDDING, null));
                }
            }
        }
        return out;
    }

    private static List<String> matching(List<String> names, String prefix, int limit) {
        String p = prefix.toLowerCase(Locale.ROOT);
        return names.stream().filter(n -> n.toLowerCase(Locale.ROOT).startsWith(p)).limit(limit).toList();
    }
}
