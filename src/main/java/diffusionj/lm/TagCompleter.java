package diffusionj.lm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Completes tags from a list in the CSV format of the popular web-UI tag autocompletion:
 * {@code tag,type,count,"alias1,alias2"}. A typed prefix matches a tag's name or any alias (spaces and
 * underscores alike, case ignored); matches are ranked by count. Malformed lines are skipped and reported
 * with their line numbers in {@link #warnings()}.
 */
public final class TagCompleter {
    public record Tag(String name, int type, long count, List<String> aliases) {
    }

    /** A proposal: the tag to insert, its count, and the alias that matched (null when the name did). */
    public record Suggestion(String tag, long count, String alias) {
    }

    public static final String BUILT_IN = "/tags/diffusionj-tags.csv";

    private final List<Tag> tags;
    private final List<String> warnings;

    private TagCompleter(List<Tag> tags, List<String> warnings) {
        this.tags = tags;
        this.warnings = warnings;
    }

    /** The tag list shipped with DiffusionJ (subjects, styles, lighting, microscopy; written for this project). */
    public static TagCompleter builtIn() {
        InputStream in = TagCompleter.class.getResourceAsStream(BUILT_IN);
        if (in == null) {
            throw new IllegalStateException("the built-in tag list " + BUILT_IN + " is missing from the jar");
        }
        return parse(new InputStreamReader(in, StandardCharsets.UTF_8), BUILT_IN);
    }

    public static TagCompleter load(Path csv) {
        try {
            return parse(Files.newBufferedReader(csv, StandardCharsets.UTF_8), csv.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read tag list " + csv + ": " + e.getMessage(), e);
        }
    }

    static TagCompleter parse(Reader source, String name) {
        List<Tag> tags = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(source)) {
            String line;
            int number = 0;
            while ((line = r.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    tags.add(tag(CsvLine.split(line)));
                } catch (IllegalArgumentException e) {
                    warnings.add(name + ", line " + number + ": " + e.getMessage() + " — skipped");
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read tag list " + name + ": " + e.getMessage(), e);
        }
        tags.sort(Comparator.comparingLong(Tag::count).reversed());
        return new TagCompleter(List.copyOf(tags), List.copyOf(warnings));
    }

    private static Tag tag(List<String> fields) {
        if (fields.isEmpty() || fields.get(0).isBlank()) {
            throw new IllegalArgumentException("no tag name");
        }
        int type = fields.size() > 1 && !fields.get(1).isBlank() ? number(fields.get(1), "type") : 0;
        long count = fields.size() > 2 && !fields.get(2).isBlank() ? number(fields.get(2), "count") : 0;
        List<String> aliases = new ArrayList<>();
        if (fields.size() > 3) {
            for (String a : fields.get(3).split(",")) {
                if (!a.isBlank()) {
                    aliases.add(a.strip());
                }
            }
        }
        return new Tag(fields.get(0).strip(), type, count, List.copyOf(aliases));
    }

    private static int number(String field, String what) {
        try {
            long v = Long.parseLong(field.strip());
            if (v < 0 || v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(what + " '" + field + "' is out of range");
            }
            return (int) v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " '" + field + "' is not a whole number");
        }
    }

    public List<String> warnings() {
        return warnings;
    }

    public int size() {
        return tags.size();
    }

    /** Tags whose name or an alias starts with {@code prefix}, most frequent first. */
    public List<Suggestion> complete(String prefix, int limit) {
        String p = normalise(prefix);
        List<Suggestion> out = new ArrayList<>();
        if (p.isEmpty()) {
            return out;
        }
        for (Tag t : tags) {
            if (out.size() >= limit) {
                break;
            }
            if (normalise(t.name()).startsWith(p)) {
                out.add(new Suggestion(t.name(), t.count(), null));
                continue;
            }
            for (String alias : t.aliases()) {
                if (normalise(alias).startsWith(p)) {
                    out.add(new Suggestion(t.name(), t.count(), alias));
                    break;
                }
            }
        }
        return out;
    }

    private static String normalise(String s) {
        return s.strip().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
}
