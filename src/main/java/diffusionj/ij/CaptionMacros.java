package diffusionj.ij;

import diffusionj.lm.Suggestion;
import diffusionj.text.ClipTokenizer;
import diffusionj.text.TokenCount;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The caption completer for macros:
 * <pre>
 * s = call("diffusionj.ij.CaptionMacros.complete", "a red circle, soft li", "5"); // lines "text\tscore\tsource"
 * n = call("diffusionj.ij.CaptionMacros.countTokens", "a red circle");            // "3/75 (1)"
 * call("diffusionj.ij.CaptionMacros.useLanguageModel", "/path/to/gpt2");           // "" for tags only
 * </pre>
 * Sources are "LM" (score: probability), "tag" (count) and "CLIP word" (BPE merge rank).
 */
public final class CaptionMacros {
    private CaptionMacros() {
    }

    public static String complete(String text, String count) {
        try {
            int k = Integer.parseInt(count.strip());
            List<Suggestion> suggestions = CaptionSession.suggester().suggest(text, k);
            return suggestions.stream().map(s -> s.text() + "\t" + s.formattedScore() + "\t" + s.source().label())
                    .collect(Collectors.joining("\n"));
        } catch (NumberFormatException e) {
            return fail("the number of suggestions must be a whole number, got '" + count + "'");
        } catch (RuntimeException e) {
            return fail(e.getMessage());
        }
    }

    public static String countTokens(String text) {
        try {
            ClipTokenizer clip = CaptionSession.clipTokenizer();
            return TokenCount.of(text, clip, CaptionSession.embeddings()).format();
        } catch (RuntimeException e) {
            return fail(e.getMessage());
        }
    }

    public static String useLanguageModel(String folder) {
        CaptionSession.setLanguageModel(folder);
        try {
            CaptionSession.suggester();
            return folder;
        } catch (RuntimeException e) {
            CaptionSession.setLanguageModel("");
            return fail(e.getMessage());
        }
    }

    private static String fail(String message) {
        GenerationRun.report(message);
        return "";
    }
}
