package diffusionj.text;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Prompt editing and alternation as the web UI's {@code prompt_parser} reads them: {@code [from:to:when]} uses
 * {@code from} up to step {@code when}, then {@code to}; {@code [to:when]} and {@code [from::when]} leave one side
 * empty; {@code when} with a decimal point is a fraction of the steps ({@code 0.25}), without one a step number;
 * {@code [a|b|c]} takes the next alternative at every step. They nest, and weights, emphasis and BREAK inside them
 * are kept as text for {@link PromptSyntax}. A bracket that forms none of these is text, as are stray brackets.
 *
 * <p>The schedule is a list of (last step, text) entries; model call {@code i} (from 0) uses the first entry whose
 * last step is ≥ {@code i}, as the web UI's {@code reconstruct_cond_batch} does — so {@code [a:b:10]} runs 11 calls
 * on {@code a}.
 */
public final class PromptSchedule {
    /** One span of the schedule: the text in force through step {@code endAtStep}. */
    public record Entry(int endAtStep, String text) {
    }

    private static final Pattern NUMBER = Pattern.compile("\\s*((\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?)\\s*");

    /** The parsed prompt: text, or the constructs that change with the step. */
    private interface Node {
        /** Adds the steps at which this part's text changes. */
        void collectSteps(int steps, TreeSet<Integer> ends);

        void render(int step, int steps, StringBuilder out);
    }

    private record Text(String text) implements Node {
        public void collectSteps(int steps, TreeSet<Integer> ends) {
        }

        public void render(int step, int steps, StringBuilder out) {
            out.append(text);
        }
    }

    private record Sequence(List<Node> parts) implements Node {
        public void collectSteps(int steps, TreeSet<Integer> ends) {
            parts.forEach(p -> p.collectSteps(steps, ends));
        }

        public void render(int step, int steps, StringBuilder out) {
            parts.forEach(p -> p.render(step, steps, out));
        }
    }

    private record Scheduled(Node before, Node after, String when) implements Node {
        /** The last step of {@code before}: a step number, or with a decimal point a fraction of the steps. */
        int lastStepBefore(int steps) {
            double v = Double.parseDouble(when);
            return Math.min(steps, (int) (when.contains(".") ? v * steps : v));
        }

        public void collectSteps(int steps, TreeSet<Integer> ends) {
            if (lastStepBefore(steps) >= 1) {
                ends.add(lastStepBefore(steps));
            }
            before.collectSteps(steps, ends);
            after.collectSteps(steps, ends);
        }

        public void render(int step, int steps, StringBuilder out) {
            (step <= lastStepBefore(steps) ? before : after).render(step, steps, out);
        }
    }

    private record Alternate(List<Node> options) implements Node {
        public void collectSteps(int steps, TreeSet<Integer> ends) {
            for (int i = 1; i <= steps; i++) {
                ends.add(i);
            }
            options.forEach(o -> o.collectSteps(steps, ends));
        }

        public void render(int step, int steps, StringBuilder out) {
            options.get((step - 1) % options.size()).render(step, steps, out);
        }
    }

    private final String prompt;
    private int pos;

    private PromptSchedule(String prompt) {
        this.prompt = prompt;
    }

    /** The texts {@code prompt} asks for over {@code steps} model calls. */
    public static List<Entry> of(String prompt, int steps) {
        Node tree = new PromptSchedule(prompt).top();
        TreeSet<Integer> ends = new TreeSet<>();
        ends.add(steps);
        tree.collectSteps(steps, ends);
        List<Entry> out = new ArrayList<>();
        for (int step : ends) {
            StringBuilder text = new StringBuilder();
            tree.render(step, steps, text);
            out.add(new Entry(step, text.toString()));
        }
        return out;
    }

    /** The text in force at model call {@code call} (from 0). */
    public static String at(List<Entry> schedule, int call) {
        for (Entry e : schedule) {
            if (call <= e.endAtStep()) {
                return e.text();
            }
        }
        return schedule.get(schedule.size() - 1).text();
    }

    /** The whole prompt: here nothing is out of place, an unmatched bracket or separator is text. */
    private Node top() {
        List<Node> parts = new ArrayList<>();
        while (pos < prompt.length()) {
            Node n = sequence("");
            parts.add(n);
            if (pos < prompt.length()) {
                parts.add(new Text(String.valueOf(prompt.charAt(pos++))));
            }
        }
        return new Sequence(parts);
    }

    /**
     * Text and nested constructs up to one of {@code stops} (not consumed) or the end; null where a character no
     * construct allows here comes first (the caller's bracket is then text).
     */
    private Node sequence(String stops) {
        List<Node> parts = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        while (pos < prompt.length()) {
            char c = prompt.charAt(pos);
            if (stops.indexOf(c) >= 0) {
                break;
            }
            if (c == '\\' && pos + 1 < prompt.length()) {
                text.append(c).append(prompt.charAt(pos + 1));
                pos += 2;
            } else if (c == '[' || c == '(') {
                int start = pos;
                Node bracket = c == '[' ? square() : round();
                if (bracket == null) {
                    pos = start + 1;
                    text.append(c);
                } else {
                    flush(text, parts);
                    parts.add(bracket);
                }
            } else if ("]):|".indexOf(c) >= 0) {
                if (!stops.isEmpty()) {
                    return null;
                }
                break;
            } else {
                text.append(c);
                pos++;
            }
        }
        flush(text, parts);
        return new Sequence(parts);
    }

    private static void flush(StringBuilder text, List<Node> parts) {
        if (!text.isEmpty()) {
            parts.add(new Text(text.toString()));
            text.setLength(0);
        }
    }

    /** At '[': emphasis {@code [x]}, editing {@code [a:b:n]} / {@code [b:n]}, or alternation {@code [a|b]}; else null. */
    private Node square() {
        pos++;
        List<Node> parts = new ArrayList<>();
        StringBuilder separators = new StringBuilder();
        while (true) {
            Node part = sequence(":|]");
            if (part == null || pos >= prompt.length()) {
                return null;
            }
            parts.add(part);
            char c = prompt.charAt(pos++);
            if (c == ']') {
                break;
            }
            separators.append(c);
        }
        if (separators.isEmpty()) {
            return new Sequence(List.of(new Text("["), parts.get(0), new Text("]")));
        }
        if (separators.toString().matches("\\|+")) {
            return new Alternate(parts);
        }
        String when = parts.size() <= 3 && separators.toString().matches(":+") ? number(parts.get(parts.size() - 1)) : null;
        if (when == null) {
            return null;
        }
        return parts.size() == 2 ? new Scheduled(new Text(""), parts.get(0), when) : new Scheduled(parts.get(0), parts.get(1), when);
    }

    /** At '(': emphasis {@code (x)} or {@code (x:w)}, kept as text for the weights; else null. */
    private Node round() {
        pos++;
        Node inner = sequence(":)");
        if (inner == null || pos >= prompt.length()) {
            return null;
        }
        List<Node> parts = new ArrayList<>(List.of(new Text("("), inner));
        if (prompt.charAt(pos) == ':') {
            pos++;
            Node weight = sequence(")");
            if (weight == null || pos >= prompt.length()) {
                return null;
            }
            parts.add(new Text(":"));
            parts.add(weight);
        }
        pos++;
        parts.add(new Text(")"));
        return new Sequence(parts);
    }

    /** The number a part holds alone (spaces around it allowed), or null. */
    private static String number(Node part) {
        StringBuilder text = new StringBuilder();
        if (!(part instanceof Sequence s) || !s.parts().stream().allMatch(p -> p instanceof Text)) {
            return null;
        }
        s.parts().forEach(p -> text.append(((Text) p).text()));
        var m = NUMBER.matcher(text);
        return m.matches() ? m.group(1) : null;
    }
}
