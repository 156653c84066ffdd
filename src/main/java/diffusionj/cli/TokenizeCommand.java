package diffusionj.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import diffusionj.io.Checkpoint;
import diffusionj.io.Checkpoints;
import diffusionj.io.EmbeddedModel;
import diffusionj.text.ClipTokenizer;

import java.io.PrintStream;
import java.util.Set;

/**
 * {@code tokenize --model PATH [--tokenizer DIR] (--text T | --texts-json FILE)}: prints
 * {@code {"bpe":[...],"ids":[...77]}} for one text, a JSON array of those for a JSON array of texts.
 */
final class TokenizeCommand {
    static final String USAGE = "tokenize --model PATH [--tokenizer DIR] (--text T | --texts-json FILE)";

    private TokenizeCommand() {
    }

    static void run(String[] argv, PrintStream out) {
        Args args = new Args("tokenize", argv, 1, Set.of("--model", "--tokenizer", "--text", "--texts-json"), Set.of());
        String source = args.oneOf("--text", "--texts-json");
        ClipTokenizer tokenizer;
        try (Checkpoint checkpoint = Checkpoints.open(EmbeddedModel.resolve(args.required("--model")), args.path("--tokenizer"))) {
            tokenizer = ClipTokenizer.load(checkpoint.tokenizerDir());
        }
        JsonElement result;
        if (source.equals("--text")) {
            result = tokenized(tokenizer, args.required("--text"));
        } else {
            JsonArray all = new JsonArray();
            Texts.read(args.path("--texts-json")).forEach(t -> all.add(tokenized(tokenizer, t)));
            result = all;
        }
        out.println(result);
    }

    private static JsonObject tokenized(ClipTokenizer tokenizer, String text) {
        int[] bpe = tokenizer.encode(text);
        JsonArray bpeJson = new JsonArray();
        for (int id : bpe) {
            bpeJson.add(id);
        }
        JsonArray ids = new JsonArray();
        for (long id : tokenizer.contextIds(bpe)) {
            ids.add(id);
        }
        JsonObject o = new JsonObject();
        o.add("bpe", bpeJson);
        o.add("ids", ids);
        return o;
    }
}
