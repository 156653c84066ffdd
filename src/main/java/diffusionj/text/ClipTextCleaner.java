package diffusionj.text;

import org.apache.commons.text.StringEscapeUtils;

import java.text.Normalizer;
import java.util.regex.Pattern;

/**
 * CLIP's prompt cleaning before tokenisation: the parts of ftfy's {@code fix_text} that change ordinary
 * prompts (NFC normalisation, full-width to half-width characters, Latin ligatures, curly quotes, line
 * breaks, control characters), HTML entities unescaped twice, whitespace runs collapsed, lower case.
 * ftfy's mojibake repair (text decoded with the wrong encoding) is not reproduced.
 */
public final class ClipTextCleaner {
    private static final Pattern WHITESPACE = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern CONTROL = Pattern.compile("[\\x00-\\x08\\x0B\\x0E-\\x1F\\x7F]");
    private static final Pattern WIDTH_FORMS = Pattern.compile("[\\uFF01-\\uFF5E\\uFF65-\\uFF9F\\u3000]");

    private ClipTextCleaner() {
    }

    public static String clean(String text) {
        String t = fixText(text);
        t = StringEscapeUtils.unescapeHtml4(StringEscapeUtils.unescapeHtml4(t));
        t = WHITESPACE.matcher(t.strip()).replaceAll(" ").strip();
        return t.toLowerCase(java.util.Locale.ROOT);
    }

    /** The subset of ftfy.fix_text described above. */
    static String fixText(String text) {
        String t = text.replace("\r\n", "\n").replace('\r', '\n').replace('\u2028', '\n').replace('\u2029', '\n');
        t = CONTROL.matcher(t).replaceAll("");
        t = uncurlQuotes(t);
        t = t.replace("\uFB00", "ff").replace("\uFB01", "fi").replace("\uFB02", "fl").replace("\uFB03", "ffi")
                .replace("\uFB04", "ffl").replace("\uFB05", "st").replace("\uFB06", "st");
        t = WIDTH_FORMS.matcher(t).replaceAll(m -> m.group().equals("\u3000") ? " "
                : java.util.regex.Matcher.quoteReplacement(Normalizer.normalize(m.group(), Normalizer.Form.NFKC)));
        return Normalizer.normalize(t, Normalizer.Form.NFC);
    }

    private static String uncurlQuotes(String t) {
        return t.replace('\u2018', '\'').replace('\u2019', '\'').replace('\u201A', '\'').replace('\u201B', '\'')
                .replace('\u201C', '"').replace('\u201D', '"').replace('\u201E', '"').replace('\u201F', '"');
    }
}
