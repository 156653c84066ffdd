package diffusionj.text;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Prompt editing and alternation: the web UI's prompt_parser documented examples, at 10 steps. */
class PromptScheduleTest {
    /** "[[10, 'test']]"-style: end step, text, … */
    private static List<PromptSchedule.Entry> entries(Object... endAndText) {
        List<PromptSchedule.Entry> out = new ArrayList<>();
        for (int i = 0; i < endAndText.length; i += 2) {
            out.add(new PromptSchedule.Entry((Integer) endAndText[i], (String) endAndText[i + 1]));
        }
        return out;
    }

    private static void check(String prompt, Object... expected) {
        assertEquals(entries(expected), PromptSchedule.of(prompt, 10), prompt);
    }

    @Test
    void editingSwitchesAtTheStepOrFractionGiven() {
        check("test", 10, "test");
        check("a [b:3]", 3, "a ", 10, "a b");
        check("a [b: 3]", 3, "a ", 10, "a b");
        check("a [[[b]]:2]", 2, "a ", 10, "a [[b]]");
        check("[(a:2):3]", 3, "", 10, "(a:2)");
        check("a [b : c : 1] d", 1, "a b  d", 10, "a  c  d");
        check("a[b:[c:d:2]:1]e", 1, "abe", 2, "ace", 10, "ade");
        check("a [b:.5] c", 5, "a  c", 10, "a b c");
        check("a [fantasy:cyberpunk:0.25] landscape", 2, "a fantasy landscape", 10, "a cyberpunk landscape");
        check("[from::4] to", 4, "from to", 10, " to");
    }

    @Test
    void unbalancedAndStrayBracketsAreText() {
        check("a [unbalanced", 10, "a [unbalanced");
        check("((a][:b:c [d:3]", 3, "((a][:b:c ", 10, "((a][:b:c d");
        check("[a:b:c] d", 10, "[a:b:c] d");
    }

    @Test
    void alternationTakesTheNextOptionEveryStep() {
        check("[a|(b:1.1)]", 1, "a", 2, "(b:1.1)", 3, "a", 4, "(b:1.1)", 5, "a", 6, "(b:1.1)", 7, "a", 8, "(b:1.1)", 9, "a", 10, "(b:1.1)");
        check("[fe|]male", 1, "female", 2, "male", 3, "female", 4, "male", 5, "female", 6, "male", 7, "female", 8, "male", 9, "female", 10, "male");
        check("[fe|||]male", 1, "female", 2, "male", 3, "male", 4, "male", 5, "female", 6, "male", 7, "male", 8, "male", 9, "female", 10, "male");
    }

    /** Model call i (from 0) uses the first entry ending at or after i: [a:b:3] runs calls 0–3 on a. */
    @Test
    void eachCallUsesTheFirstEntryEndingAtOrAfterIt() {
        List<PromptSchedule.Entry> s = PromptSchedule.of("[a:b:3] BREAK (c:1.2)", 10);
        List<String> perCall = new ArrayList<>();
        for (int call = 0; call < 10; call++) {
            perCall.add(PromptSchedule.at(s, call));
        }
        assertEquals(List.of("a BREAK (c:1.2)", "a BREAK (c:1.2)", "a BREAK (c:1.2)", "a BREAK (c:1.2)", "b BREAK (c:1.2)",
                "b BREAK (c:1.2)", "b BREAK (c:1.2)", "b BREAK (c:1.2)", "b BREAK (c:1.2)", "b BREAK (c:1.2)"), perCall);
    }
}
