package diffusionj.ij;

import diffusionj.Fixtures;
import diffusionj.scijava.DiffusionServices;
import diffusionj.scijava.ModelChoice;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The macro functions of the caption completer, as call("diffusionj.ij.CaptionMacros....") reaches them. */
class CaptionMacrosTest {

    @Test
    void completeReturnsTabSeparatedLinesAndCountTokensTheWebUiCount() {
        DiffusionServices.get().setDefaultModel(new ModelChoice(Fixtures.path("sd1-tiny", "model"), null));
        String lm = Fixtures.path("gpt2-tiny", "model").toAbsolutePath().toString();
        assertEquals(lm, CaptionMacros.useLanguageModel(lm));
        String[] lines = CaptionMacros.complete("a red circle, soft li", "5").split("\n");
        assertEquals(5, lines.length);
        assertEquals("soft lighting", lines[0].split("\t")[0]);
        assertEquals("tag", lines[0].split("\t")[2]);
        assertEquals("LM", lines[1].split("\t")[2]);
        assertTrue(Double.parseDouble(lines[1].split("\t")[1]) > 0);
        assertEquals("CLIP word", lines[2].split("\t")[2]);
        for (String line : lines) {
            assertEquals(3, line.split("\t").length, line);
        }
        assertEquals("5/75 (1)", CaptionMacros.countTokens("a photo of a cat"));
        assertEquals("", CaptionMacros.useLanguageModel(""));
        assertTrue(CaptionMacros.complete("a red circle, soft li", "5").lines().allMatch(l -> !l.endsWith("\tLM")),
                "without a language model only tags and CLIP words");
    }
}
