package diffusionj.text;

import diffusionj.text.PromptSyntax.Fragment;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PromptSyntaxTest {

    private static void assertFragments(String prompt, Object... textWeightPairs) {
        List<Fragment> parsed = PromptSyntax.parse(prompt);
        assertEquals(textWeightPairs.length / 2, parsed.size(), () -> "fragments of '" + prompt + "': " + parsed);
        for (int i = 0; i < parsed.size(); i++) {
            assertEquals(textWeightPairs[2 * i], parsed.get(i).text(), "text " + i + " of '" + prompt + "'");
            assertEquals((Double) textWeightPairs[2 * i + 1], parsed.get(i).weight(), 1e-12, "weight " + i + " of '" + prompt + "'");
        }
    }

    @Test
    void plainTextIsOneFragmentOfWeightOne() {
        assertFragments("a photo of a cat", "a photo of a cat", 1.0);
    }

    @Test
    void roundBracketsMultiplyByOnePointOnePerPair() {
        assertFragments("a (red) cat", "a ", 1.0, "red", 1.1, " cat", 1.0);
        assertFragments("((red))", "red", 1.1 * 1.1);
    }

    @Test
    void squareBracketsDivideByOnePointOne() {
        assertFragments("a [blurry] cat", "a ", 1.0, "blurry", 1 / 1.1, " cat", 1.0);
        assertFragments("[[blurry]]", "blurry", 1 / 1.1 / 1.1);
    }

    @Test
    void explicitWeightReplacesTheBracketFactor() {
        assertFragments("(sea:1.5), sky", "sea", 1.5, ", sky", 1.0);
        assertFragments("(sea : 0.25)", "sea ", 0.25);
        assertFragments("((sea:2))", "sea", 2 * 1.1);
    }

    @Test
    void escapedBracketsAreLiteralText() {
        assertFragments("\\(literal\\) [x]", "(literal) ", 1.0, "x", 1 / 1.1);
    }

    @Test
    void unclosedBracketWeighsTheRestOfThePrompt() {
        assertFragments("a (b c", "a ", 1.0, "b c", 1.1);
    }

    @Test
    void nestedBracketsCompose() {
        assertFragments("(a [b])", "a ", 1.1, "b", 1.0);
    }

    @Test
    void breakSeparatesFragments() {
        List<Fragment> parsed = PromptSyntax.parse("red circle BREAK blue square");
        assertEquals(3, parsed.size());
        assertEquals("red circle", parsed.get(0).text());
        assertTrue(parsed.get(1).isBreak());
        assertEquals("blue square", parsed.get(2).text());
        assertFalseBreak("BREAKFAST");
    }

    private static void assertFalseBreak(String prompt) {
        assertTrue(PromptSyntax.parse(prompt).stream().noneMatch(Fragment::isBreak), prompt + " holds no BREAK");
    }

    @Test
    void emptyPromptIsOneEmptyFragment() {
        assertFragments("", "", 1.0);
    }

    @Test
    void malformedWeightIsAClearError() {
        PromptException e = assertThrows(PromptException.class, () -> PromptSyntax.parse("(sea:1.2.3)"));
        assertTrue(e.getMessage().contains("1.2.3"), e.getMessage());
    }
}
