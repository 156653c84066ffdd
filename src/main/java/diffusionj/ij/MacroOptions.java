package diffusionj.ij;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The option string of {@code run("Command...", "key=value key=[text with spaces] flag")}. Parsed by us,
 * not by {@code ij.Macro.getValue}, because prompts use square brackets themselves ("a [red] cat"): a
 * bracketed value ends only at a "]" followed by the end or by another known key.
 */
final class MacroOptions {
    private final Map<String, String> values = new LinkedHashMap<>();

    MacroOptions(String options, Set<String> keys) {
        String s = options == null ? "" : options.strip();
        int at = 0;
        while (at < s.length()) {
            int keyEnd = at;
            while (keyEnd < s.length() && s.charAt(keyEnd) != ' ' && s.charAt(keyEnd) != '=') {
                keyEnd++;
            }
            String key = s.substring(at, keyEnd).toLowerCase(java.util.Locale.ROOT);
            if (keyEnd == s.length() || s.charAt(keyEnd) == ' ') {
                values.put(key, "true");
                at = skipSpaces(s, keyEnd);
            } else if (keyEnd + 1 < s.length() && s.charAt(keyEnd + 1) == '[') {
                int close = closingBracket(s, keyEnd + 1, keys);
                values.put(key, s.substring(keyEnd + 2, close));
                at = skipSpaces(s, close + 1);
            } else {
                int space = s.indexOf(' ', keyEnd);
                int valueEnd = space < 0 ? s.length() : space;
                values.put(key, s.substring(keyEnd + 1, valueEnd));
                at = skipSpaces(s, valueEnd);
            }
        }
    }

    private static int skipSpaces(String s, int i) {
        while (i < s.length() && s.charAt(i) == ' ') {
            i++;
        }
        return i;
    }

    /** The "]" that is followed by the end of the string or by " key=" / " flag" of a known key. */
    private static int closingBracket(String s, int open, Set<String> keys) {
        int candidate = s.indexOf(']', open + 1);
        while (candidate >= 0) {
            String rest = s.substring(candidate + 1).stripLeading();
            if (rest.isEmpty() || startsWithKey(rest, keys)) {
                return candidate;
            }
            candidate = s.indexOf(']', candidate + 1);
        }
        throw new IllegalArgumentException("unclosed '[' in macro options: " + s.substring(open));
    }

    /** With no known keys (a macro's own arguments), any "name=" or lone word counts as the next key. */
    private static boolean startsWithKey(String rest, Set<String> keys) {
        if (keys.isEmpty()) {
            return rest.matches("(?s)[A-Za-z_][A-Za-z0-9_]*(=| |$).*");
        }
        String lower = rest.toLowerCase(java.util.Locale.ROOT);
        for (String k : keys) {
            if (lower.startsWith(k + "=") || lower.equals(k) || lower.startsWith(k + " ")) {
                return true;
            }
        }
        return false;
    }

    boolean has(String key) {
        return values.containsKey(key);
    }

    String get(String key, String fallback) {
        return values.getOrDefault(key, fallback);
    }

    double number(String key, double fallback) {
        String v = values.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("macro option " + key + "=" + v + " is not a number");
        }
    }
}
