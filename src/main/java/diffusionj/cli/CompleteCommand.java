package diffusionj.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import diffusionj.lm.Gpt2Model;
import diffusionj.lm.Gpt2Tokenizer;
import diffusionj.lm.Sampling;
import diffusionj.lm.TokenPredictor;

import java.io.PrintStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Set;

/**
 * {@code complete --lm PATH --text T [--top-k K] [--max-tokens N] [--seed S] [--greedy]}: prints the K most
 * probable next tokens and a continuation of up to N tokens, sampled from the top K (seeded) or greedy:
 * {@code {"candidates":[{"token":..., "id":..., "p":...}], "continuation": "..."}}.
 */
final class CompleteCommand {
    static final String USAGE = "complete --lm PATH --text T [--top-k K] [--max-tokens N] [--seed S] [--greedy]";

    private CompleteCommand() {
    }

    static void run(String[] argv, PrintStream out) {
        Args args = new Args("complete", argv, 1, Set.of("--lm", "--text", "--top-k", "--max-tokens", "--seed"), Set.of("--greedy"));
        Path folder = Path.of(args.required("--lm"));
        String text = args.required("--text");
        int k = (int) args.integer("--top-k", 5, 1, 1000);
        int maxTokens = (int) args.integer("--max-tokens", 8, 0, 1024);
        long seed = args.integer("--seed", new SecureRandom().nextLong() & 0xFFFFFFFFL, 0, Long.MAX_VALUE);
        Gpt2Model model = Gpt2Model.load(folder);
        Gpt2Tokenizer tokenizer = Gpt2Tokenizer.forModel(folder);
        long[] prompt = tokenizer.encodeOrStart(text);
        TokenPredictor predictor = new TokenPredictor(model);
        JsonArray candidates = new JsonArray();
        for (TokenPredictor.Candidate c : predictor.candidates(prompt, k)) {
            JsonObject o = new JsonObject();
            o.addProperty("token", tokenizer.tokenText(c.id()));
            o.addProperty("id", c.id());
            o.addProperty("p", c.probability());
            candidates.add(o);
        }
        Sampling sampling = args.has("--greedy") ? Sampling.greedyDecoding() : Sampling.topK(k, seed);
        long[] sequence = maxTokens == 0 ? prompt : predictor.continuation(prompt, maxTokens, sampling, id -> false);
        JsonObject result = new JsonObject();
        result.add("candidates", candidates);
        result.addProperty("continuation", tokenizer.decode(Arrays.copyOfRange(sequence, prompt.length, sequence.length)));
        out.println(result);
    }
}
