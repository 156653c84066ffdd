package diffusionj.lm;

/**
 * Accepting a suggestion in a text field: the text before the caret loses the fragment being typed and gains
 * the suggestion; the text after the caret stays; the caret lands after the insertion, followed by ", "
 * when a whole tag was completed (the web UIs' tag convention), so typing can go straight on.
 */
public record CaptionEdit(String text, int caret) {

    public static CaptionEdit accept(String text, int caret, Suggestion s) {
        String before = s.applyTo(text.substring(0, caret));
        String after = text.substring(caret);
        if (s.source() == Suggestion.Source.TAG && !after.stripLeading().startsWith(",")) {
            before = before + ", ";
        }
        return new CaptionEdit(before + after, before.length());
    }
}
