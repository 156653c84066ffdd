package diffusionj.cli;

import com.google.gson.JsonObject;
import diffusionj.io.Checkpoint;
import diffusionj.io.Checkpoints;
import diffusionj.io.SafetensorsWriter;
import diffusionj.text.ClipTextEncoder;
import diffusionj.text.ClipTokenizer;
import diffusionj.text.TextConditioning;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code encode-text --model PATH [--tokenizer DIR] --texts-json FILE --out OUT.safetensors [--clip-skip N]}:
 * writes {@code last_hidden_state} and {@code penultimate_normed}, [texts, 77, width] float32, each text
 * tokenised to its 77 context ids with no prompt syntax; with {@code --clip-skip N} also {@code conditioning},
 * the CLIP-skip-N output a generation with that setting conditions on. For SDXL also {@code prompt_embeds}
 * [texts, 77, width1 + width2] and {@code pooled_prompt_embeds} [texts, projection], as diffusers' {@code encode_prompt}.
 */
final class EncodeTextCommand {
    static final String USAGE = "encode-text --model PATH [--tokenizer DIR] --texts-json FILE --out OUT.safetensors [--clip-skip N]";

    private EncodeTextCommand() {
    }

    static void run(String[] argv, PrintStream out) {
        Args args = new Args("encode-text", argv, 1, Set.of("--model", "--tokenizer", "--texts-json", "--out", "--clip-skip"), Set.of());
        Path model = Path.of(args.required("--model"));
        List<String> texts = Texts.read(Path.of(args.required("--texts-json")));
        Path target = Path.of(args.required("--out"));
        if (texts.isEmpty()) {
            throw new UsageException("encode-text: " + args.required("--texts-json") + " holds no texts");
        }
        try (Checkpoint checkpoint = Checkpoints.open(model, args.path("--tokenizer"))) {
            ClipTokenizer tokenizer = ClipTokenizer.load(checkpoint.tokenizerDir());
            ClipTextEncoder encoder = ClipTextEncoder.load(checkpoint);
            int clipSkip = (int) args.integer("--clip-skip", 1, 1, encoder.config().layers());
            long[][] ids = tokenizer.contextIds(texts);
            String skipped = clipSkip == 1 ? ClipTextEncoder.LAST_HIDDEN_STATE : ClipTextEncoder.clipSkip(clipSkip);
            var outputs = encoder.encode(ids, ClipTextEncoder.LAST_HIDDEN_STATE, ClipTextEncoder.clipSkip(2), skipped);
            Map<String, INDArray> tensors = new LinkedHashMap<>();
            tensors.put("last_hidden_state", outputs.get(ClipTextEncoder.LAST_HIDDEN_STATE));
            tensors.put("penultimate_normed", outputs.get(ClipTextEncoder.clipSkip(2)));
            if (args.has("--clip-skip")) {
                tensors.put("conditioning", outputs.get(skipped));
            }
            TextConditioning.Encoded prompt = TextConditioning.load(checkpoint).encodeLiteral(texts);
            if (prompt.pooled() != null) {
                tensors.put("prompt_embeds", prompt.context());
                tensors.put("pooled_prompt_embeds", prompt.pooled());
            }
            SafetensorsWriter.float32().write(target, tensors);
            JsonObject summary = new JsonObject();
            summary.addProperty("out", target.toString());
            summary.addProperty("texts", texts.size());
            summary.addProperty("width", encoder.config().width());
            out.println(summary);
        }
    }
}
