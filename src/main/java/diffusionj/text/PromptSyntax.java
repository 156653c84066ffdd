package diffusionj.text;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Attention weights in prompts, read as the popular Stable Diffusion web UIs read them:
 * {@code (word)} ×1.1 per pair, {@code [word]} ÷1.1 per pair, {@code (word:1.5)} an explicit weight,
 * {@code \(} and {@code \)} literal brackets, {@code BREAK} (upper case, a word of its own) to start a new
 * 75-token chunk. Unclosed brackets still weigh what follows them, as the web UIs do.
 */
public final class PromptSyntax {
    /** One run of text with one weight; {@link #isBreak()} marks a BREAK. */
    public record Fragment(String text, double weight) {
        static final Fragment BREAK = new Fragment("BREAK", -1);

        public boolean isBreak() {
            return weight == -1 && text.equals("BREAK");
        }
    }

    public static final double ROUND_BRACKET = 1.1;
    public static final double SQUARE_BRACKET = 1 / 1.1;

    private static final Pattern ATTENTION = Pattern.compile(
            "\\\\\\(|\\\\\\)|\\\\\\[|\\\\]|\\\\\\\\|\\\\|\\(|\\[|:\\s*([+-]?[.\\d]+)\\s*\\)|\\)|]|[^\\\\()\\[\\]:]+|:");
    private static final Pattern BREAK = Pattern.compile("\\s*\\bBREAK\\b\\s*");

    private PromptSyntax() {
    }

    public static List<Fragment> parse(String prompt) {
        List<String> texts = new ArrayList<>();
        List<Double> weights = new ArrayList<>();
        List<Integer> round = new ArrayList<>();
        List<Integer> square = new ArrayList<>();
        Matcher m = ATTENTION.matcher(prompt);
        while (m.find()) {
            String token = m.group();
            String weight = m.group(1);
            if (token.startsWith("\\")) {
                add(texts, weights, token.substring(1), 1.0);
            } else if (token.equals("(")) {
                round.add(texts.size());
            } else if (token.equals("[")) {
                square.add(texts.size());
            } else if (weight != null && !round.isEmpty()) {
                multiply(weights, pop(round), parseWeight(weight, prompt));
            } else if (token.equals(")") && !round.isEmpty()) {
                multiply(weights, pop(round), ROUND_BRACKET);
            } else if (token.equals("]") && !square.isEmpty()) {
                multiply(weights, pop(square), SQUARE_BRACKET);
            } else {
                String[] parts = BREAK.split(token, -1);
                for (int i = 0; i < parts.length; i++) {
                    if (i > 0) {
                        add(texts, weights, Fragment.BREAK.text(), Fragment.BREAK.weight());
                    }
                    add(texts, weights, parts[i], 1.0);
                }
            }
        }
        round.forEach(start -> multiply(weights, start, ROUND_BRACKET));
        square.forEach(start -> multiply(weights, start, SQUARE_BRACKET));
        return merged(texts, weights);
    }

    private static void add(List<String> texts, List<Double> weights, String text, double weight) {
        texts.add(text);
        weights.add(weight);
    }

    private static int pop(List<Integer> stack) {
        return stack.remove(stack.size() - 1);
    }

    private static void multiply(List<Double> weights, int from, double factor) {
        for (int i = from; i < weights.size(); i++) {
            weights.set(i, weights.get(i) * factor);
        }
    }

    private static double parseWeight(String weight, String prompt) {
        try {
            return Double.parseDouble(weight);
        } catch (NumberFormatException e) {
            throw new PromptException("weight '" + weight + "' in prompt \"" + prompt + "\" is not a number");
        }
    }

    /** Neighbouring runs of equal weight become one fragment; an empty prompt is one empty fragment. */
    private static List<Fragment> merged(List<String> texts, List<Double> weights) {
        List<Fragment> out = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            Fragment last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && last.weight() == weights.get(i)) {
                out.set(out.size() - 1, new Fragment(last.text() + texts.get(i), last.weight()));
            } else {
                out.add(new Fragment(texts.get(i), weights.get(i)));
            }
        }
        if (out.isEmpty()) {
            out.add(new Fragment("", 1.0));
        }
        return out;
    }
}
