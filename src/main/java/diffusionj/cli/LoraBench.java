package diffusionj.cli;

import com.google.gson.JsonObject;
import diffusionj.io.Checkpoint;
import diffusionj.io.Checkpoints;
import diffusionj.io.Component;
import diffusionj.io.SafetensorsWriter;
import diffusionj.io.WeightSource;
import diffusionj.lora.LoraUse;
import diffusionj.pipeline.ResidentMemory;
import diffusionj.pipeline.StableDiffusion;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code bench --lora --model PATH [--rank R]}: what applying and switching a LoRA costs on a model. Writes a random
 * float16 kohya-format LoRA of rank R over the modules kohya's default network trains (the transformers' attention,
 * feed-forward and projections; the text encoder's attention and MLP; with {@code --locon} also every resnet's
 * 3×3 convolutions) to a temporary folder, then times applying it, changing its multiplier, removing it, and
 * applying it again, with the process's resident memory after each.
 */
final class LoraBench {
    private static final Pattern UNET_MODULES = Pattern.compile(
            ".*attentions\\.\\d+\\.(proj_in|proj_out|transformer_blocks\\.\\d+\\.(attn[12]\\.(to_q|to_k|to_v|to_out\\.0)|ff\\.net\\.(0\\.proj|2)))\\.weight");
    private static final Pattern LOCON_MODULES = Pattern.compile(".*resnets\\.\\d+\\.conv[12]\\.weight");
    private static final Pattern TEXT_MODULES = Pattern.compile(".*layers\\.\\d+\\.(self_attn\\.(q|k|v|out)_proj|mlp\\.fc[12])\\.weight");

    private LoraBench() {
    }

    static JsonObject run(Path model, Path tokenizer, int rank, boolean locon, PrintStream err) throws IOException {
        Path dir = Files.createTempDirectory("diffusionj-lora-bench");
        Path file = dir.resolve("random.safetensors");
        JsonObject report = new JsonObject();
        try {
            int modules = writeRandomLora(model, tokenizer, file, rank, locon);
            report.addProperty("lora_modules", modules);
            report.addProperty("lora_rank", rank);
            report.addProperty("lora_mb", Files.size(file) / 1e6);
            try (StableDiffusion sd = StableDiffusion.load(model, tokenizer)) {
                report.addProperty("rss_gib_loaded", ResidentMemory.currentGiB());
                time(report, "apply_seconds", () -> sd.loras().apply(List.of(new LoraUse(file, 1, 1))), err);
                report.addProperty("rss_gib_applied", ResidentMemory.currentGiB());
                time(report, "switch_multiplier_seconds", () -> sd.loras().apply(List.of(new LoraUse(file, 0.5, 0.5))), err);
                time(report, "remove_seconds", () -> sd.loras().apply(List.of()), err);
                report.addProperty("rss_gib_removed", ResidentMemory.currentGiB());
                time(report, "apply_again_seconds", () -> sd.loras().apply(List.of(new LoraUse(file, 1, 1))), err);
            }
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
        return report;
    }

    private static void time(JsonObject report, String key, Runnable work, PrintStream err) {
        long start = System.nanoTime();
        work.run();
        double seconds = (System.nanoTime() - start) / 1e9;
        err.printf("%s %.2f%n", key, seconds);
        report.addProperty(key, seconds);
    }

    /** A kohya file: per module {@code lora_down} [r, in(, k, k)] ~ N(0, 1/in), {@code lora_up} [out, r(, 1, 1)] ~ N(0, 0.01²), alpha r/2. */
    private static int writeRandomLora(Path model, Path tokenizer, Path file, int rank, boolean locon) {
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        Nd4j.getRandom().setSeed(7);
        try (Checkpoint c = Checkpoints.open(model, tokenizer)) {
            add(c.weights(Component.UNET), "lora_unet_", UNET_MODULES, rank, tensors);
            if (locon) {
                add(c.weights(Component.UNET), "lora_unet_", LOCON_MODULES, rank, tensors);
            }
            add(c.weights(Component.TEXT_ENCODER), "lora_te_", TEXT_MODULES, rank, tensors);
        }
        SafetensorsWriter.float16().write(file, tensors, Map.of("ss_network_dim", String.valueOf(rank), "ss_base_model_version", "sd_v1"));
        return tensors.size() / 3;
    }

    private static void add(WeightSource weights, String prefix, Pattern modules, int rank, Map<String, INDArray> out) {
        for (String key : weights.keys()) {
            if (!modules.matcher(key).matches()) {
                continue;
            }
            long[] shape = weights.shape(key);
            String name = prefix + key.substring(0, key.length() - ".weight".length()).replace('.', '_');
            long in = shape[1];
            boolean conv = shape.length == 4;
            long[] down = conv ? new long[]{rank, in, shape[2], shape[3]} : new long[]{rank, in};
            long[] up = conv ? new long[]{shape[0], rank, 1, 1} : new long[]{shape[0], rank};
            out.put(name + ".lora_down.weight", Nd4j.randn(DataType.FLOAT, down).muli(1 / Math.sqrt(in)));
            out.put(name + ".lora_up.weight", Nd4j.randn(DataType.FLOAT, up).muli(0.01));
            out.put(name + ".alpha", Nd4j.scalar(rank / 2f));
        }
    }
}
