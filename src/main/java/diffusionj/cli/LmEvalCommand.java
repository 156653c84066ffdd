package diffusionj.cli;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import diffusionj.io.Safetensors;
import diffusionj.io.SafetensorsWriter;
import diffusionj.lm.Gpt2Model;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * {@code lm-eval --lm PATH --in IN.safetensors --out OUT.safetensors}: reads {@code input_ids} [b, n] (int64)
 * and writes the language model's {@code logits} [b, n, vocab] (float32).
 */
final class LmEvalCommand {
    static final String USAGE = "lm-eval --lm PATH --in IN.safetensors --out OUT.safetensors";

    private LmEvalCommand() {
    }

    static void run(String[] argv, PrintStream out) {
        Args args = new Args("lm-eval", argv, 1, Set.of("--lm", "--in", "--out"), Set.of());
        Gpt2Model model = Gpt2Model.load(Path.of(args.required("--lm")));
        Path target = Path.of(args.required("--out"));
        long[][] rows;
        try (Safetensors in = Safetensors.open(Path.of(args.required("--in")))) {
            INDArray ids = in.load("input_ids");
            if (ids.rank() != 2) {
                throw new UsageException("lm-eval: input_ids must be [batch, tokens], got rank " + ids.rank());
            }
            rows = new long[(int) ids.size(0)][];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = ids.getRow(i).toLongVector();
            }
        }
        INDArray logits = model.forward(rows, Gpt2Model.LOGITS).get(Gpt2Model.LOGITS);
        SafetensorsWriter.float32().write(target, Map.of("logits", logits));
        JsonObject summary = new JsonObject();
        summary.addProperty("out", target.toString());
        summary.add("shape", new Gson().toJsonTree(logits.shape()));
        out.println(summary);
    }
}
