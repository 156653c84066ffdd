package diffusionj.lm;

import java.util.Locale;

/**
 * One proposal of the caption completer. Accepting it replaces the last {@code replaceChars} characters
 * before the caret with {@code insert}. The score is the source's own measure: the language model's
 * probability, the tag's count, or the CLIP word's merge rank (lower is more frequent); 0 for LoRA and embedding names.
 *
 * @param singleClipToken whether the proposal is one CLIP token; null when no CLIP vocabulary is loaded
 */
public record Suggestion(String text, String insert, int replaceChars, double score, Source source, Boolean singleClipToken) {
    public enum Source {
        LM, TAG, CLIP, LORA, EMBEDDING;

        /** As shown to users and macros: "LM", "tag", "CLIP word", "LoRA", "embedding". */
        public String label() {
            return switch (this) {
                case LM -> "LM";
                case TAG -> "tag";
                case CLIP -> "CLIP word";
                case LORA -> "LoRA";
                case EMBEDDING -> "embedding";
            };
        }
    }

    /** The score as users read it: a probability to four places, a count or a rank as a whole number. */
    public String formattedScore() {
        return source == Source.LM ? String.format(Locale.ROOT, "%.4f", score) : Long.toString(Math.round(score));
    }

    /** The caption text after accepting this suggestion in front of {@code caret}. */
    public String applyTo(String beforeCaret) {
        return beforeCaret.substring(0, beforeCaret.length() - replaceChars) + insert;
    }
}
