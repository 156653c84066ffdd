package diffusionj.cli;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import diffusionj.io.Checkpoint;
import diffusionj.io.Checkpoints;
import diffusionj.io.EmbeddedModel;
import diffusionj.io.Safetensors;
import diffusionj.io.SafetensorsWriter;
import diffusionj.unet.UNet2DConditionModel;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code unet-eval --model PATH --in IN.safetensors --out OUT.safetensors}: reads {@code sample},
 * {@code timestep} and {@code encoder_hidden_states} (and for SDXL {@code text_embeds} and {@code time_ids}), writes
 * the UNet's prediction as {@code out}.
 */
final class UnetEvalCommand {
    static final String USAGE = "unet-eval --model PATH --in IN.safetensors --out OUT.safetensors";

    private UnetEvalCommand() {
    }

    static void run(String[] argv, PrintStream out) {
        Args args = new Args("unet-eval", argv, 1, Set.of("--model", "--in", "--out", "--tokenizer"), Set.of());
        Path model = EmbeddedModel.resolve(args.required("--model"));
        Path input = Path.of(args.required("--in"));
        Path target = Path.of(args.required("--out"));
        try (Checkpoint checkpoint = Checkpoints.open(model, args.path("--tokenizer"));
             Safetensors in = Safetensors.open(input)) {
            UNet2DConditionModel unet = UNet2DConditionModel.load(checkpoint);
            Map<String, INDArray> added = new HashMap<>();
            for (String key : new String[]{UNet2DConditionModel.TEXT_EMBEDS, UNet2DConditionModel.TIME_IDS}) {
                if (in.contains(key)) {
                    added.put(key, in.load(key));
                }
            }
            INDArray prediction = unet.predict(in.load("sample"), in.load("timestep"), in.load("encoder_hidden_states"), added);
            SafetensorsWriter.float32().write(target, Map.of("out", prediction));
            JsonObject summary = new JsonObject();
            summary.addProperty("out", target.toString());
            summary.add("shape", new Gson().toJsonTree(prediction.shape()));
            out.println(summary);
        }
    }
}
