package diffusionj.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import diffusionj.io.EmbeddedModel;
import diffusionj.lm.Gpt2Config;
import diffusionj.lm.Gpt2Model;
import diffusionj.lm.TokenPredictor;
import diffusionj.nn.WeightStore;
import diffusionj.pipeline.ResidentMemory;
import diffusionj.pipeline.StableDiffusion;
import diffusionj.text.ClipTextConfig;
import diffusionj.text.ClipTextEncoder;
import diffusionj.text.ClipTokenizer;
import diffusionj.unet.UNet2DConditionModel;
import diffusionj.unet.UNetConfig;
import diffusionj.vae.AutoencoderKL;
import diffusionj.vae.ImageCodec;
import diffusionj.vae.VaeConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code bench [--model PATH] [--repeats N]}: not a test. Times one classifier-free-guidance UNet step
 * (batch 2) at 256² and 512², text encoding and a 256² VAE decode; prints JSON on stdout. Without a model
 * it builds SD 1.5-sized components with random weights in memory.
 */
final class BenchCommand {
    static final String USAGE = "bench [--model PATH] [--tokenizer DIR] [--repeats N] [--sizes 256,512] | bench --lm"
            + " | bench --e2e [--family sd15|sdxl] [--dtype fp16|fp32] [--model FILE --tokenizer DIR] [--size 512] [--steps N] | bench --lora --model PATH [--rank R] [--locon]";

    /** Multiply-adds ×2 of one SD 1.5 UNet call per image, as counted for the targets. */
    private static final double GFLOP_256 = 180;
    private static final double GFLOP_512 = 803;

    private BenchCommand() {
    }

    static void run(String[] argv, PrintStream out, PrintStream err) {
        Args args = new Args("bench", argv, 1, Set.of("--model", "--tokenizer", "--repeats", "--sizes", "--dtype", "--size", "--steps", "--rank",
                        "--family"),
                Set.of("--lm", "--e2e", "--lora", "--locon"));
        if (args.has("--lora")) {
            try {
                out.println(new GsonBuilder().setPrettyPrinting().create().toJson(LoraBench.run(EmbeddedModel.resolve(args.required("--model")),
                        args.path("--tokenizer"), (int) args.integer("--rank", 32, 1, 1024), args.has("--locon"), err)));
            } catch (java.io.IOException e) {
                throw new UsageException("bench --lora: " + e.getMessage());
            }
            return;
        }
        int repeats = (int) args.integer("--repeats", 3, 1, 100);
        if (args.has("--e2e")) {
            String dtype = args.optional("--dtype", "fp16");
            if (!dtype.equals("fp16") && !dtype.equals("fp32")) {
                throw new UsageException("--dtype must be fp16 or fp32, got '" + dtype + "'");
            }
            String family = args.optional("--family", "sd15");
            if (!family.equals("sd15") && !family.equals("sdxl")) {
                throw new UsageException("--family must be sd15 or sdxl, got '" + family + "'");
            }
            int size = (int) args.integer("--size", family.equals("sdxl") ? 1024 : 512, 64, 2048);
            if (size % 64 != 0) {
                throw new UsageException("--size must be a multiple of 64, got " + size);
            }
            try {
                out.println(new GsonBuilder().setPrettyPrinting().create().toJson(
                        EndToEndBench.run(family.equals("sdxl"), dtype.equals("fp16"), args.path("--model"), args.path("--tokenizer"), size, (int) args.integer("--steps", 2, 1, 150), err)));
            } catch (java.io.IOException | InterruptedException e) {
                throw new UsageException("bench --e2e: " + e.getMessage());
            }
            return;
        }
        if (args.has("--lm")) {
            out.println(new GsonBuilder().setPrettyPrinting().create().toJson(languageModel(repeats, err)));
            return;
        }
        List<Integer> sizes = Arrays.stream(args.optional("--sizes", "256,512").split(",")).map(Integer::parseInt).toList();
        JsonObject report = new JsonObject();
        report.addProperty("threads", System.getenv().getOrDefault("OMP_NUM_THREADS", String.valueOf(Runtime.getRuntime().availableProcessors())));
        UNet2DConditionModel unet;
        ClipTextEncoder text;
        ImageCodec vae;
        if (args.has("--model")) {
            long start = System.nanoTime();
            StableDiffusion sd = StableDiffusion.load(EmbeddedModel.resolve(args.required("--model")), args.path("--tokenizer"));
            report.addProperty("model", args.required("--model"));
            report.addProperty("open_seconds", (System.nanoTime() - start) / 1e9);
            unet = sd.unet();
            vae = sd.vae();
            text = null;
            err.println("model opened in " + report.get("open_seconds") + " s");
            report.addProperty("text_encode_seconds", median(repeats,
                    () -> sd.conditioning().encode("a photo of a cat", 1, 1, diffusionj.text.Embeddings.NONE), err, "text"));
        } else {
            report.addProperty("model", "random SD 1.5-sized weights");
            unet = new UNet2DConditionModel(sd15UNet(), WeightStore.random(1));
            text = new ClipTextEncoder(new ClipTextConfig(49408, 768, 3072, 12, 12, 77, "quick_gelu", 1e-5), WeightStore.random(2));
            vae = new AutoencoderKL(new VaeConfig(3, 3, 4, new int[]{128, 256, 512, 512}, 2, 32, 0.18215), WeightStore.random(3));
            long[][] ids = new long[2][ClipTokenizer.CONTEXT_LENGTH];
            report.addProperty("text_encode_seconds", median(repeats, () -> text.encode(ids, ClipTextEncoder.LAST_HIDDEN_STATE), err, "text"));
        }
        int width = unet.config().crossAttentionDim();
        INDArray context = Nd4j.randn(DataType.FLOAT, 2, ClipTokenizer.CONTEXT_LENGTH, width);
        for (int size : sizes) {
            INDArray latent = Nd4j.randn(DataType.FLOAT, 2, unet.config().inChannels(), size / 8, size / 8);
            INDArray t = Nd4j.createFromArray(500f);
            // SDXL's added inputs: a pooled text vector and the default sizes.
            java.util.Map<String, INDArray> added = unet.config().added() == null ? java.util.Map.of() : java.util.Map.of(
                    UNet2DConditionModel.TEXT_EMBEDS, Nd4j.randn(DataType.FLOAT, 2, unet.config().added().pooledDim()),
                    UNet2DConditionModel.TIME_IDS, diffusionj.unet.SizeConditioning.DEFAULT.timeIds(size, size, 2));
            double seconds = median(repeats, () -> unet.predict(latent, t, context, added), err, "unet " + size);
            report.addProperty("cfg_step_seconds_" + size, seconds);
            // The FLOP counts are SD 1.5's (SDXL's are in BENCHMARKS.md): no rate for another UNet.
            if (Arrays.equals(unet.config().blockOutChannels(), sd15UNet().blockOutChannels()) && unet.config().added() == null) {
                double gflop = size == 256 ? GFLOP_256 : size == 512 ? GFLOP_512 : GFLOP_512 * Math.pow(size / 512.0, 2);
                report.addProperty("unet_gflops_per_second_" + size, 2 * gflop / seconds);
            }
        }
        INDArray latent256 = Nd4j.randn(DataType.FLOAT, 1, 4, 32, 32);
        report.addProperty("vae_decode_seconds_256", median(repeats, () -> vae.decode(latent256), err, "vae 256"));
        report.addProperty("peak_rss_gib", ResidentMemory.peakGiB());
        out.println(new GsonBuilder().setPrettyPrinting().create().toJson(report));
    }

    /**
     * GPT-2 small (124M parameters, random weights): 64 greedy tokens after a 32-token prompt, with the
     * key/value cache and by re-running the whole sequence for every token.
     */
    private static JsonObject languageModel(int repeats, PrintStream err) {
        Gpt2Model model = new Gpt2Model(new Gpt2Config(50257, 768, 12, 12, 1024, 1e-5, "gelu_new"), WeightStore.random(4), true);
        TokenPredictor predictor = new TokenPredictor(model);
        long[] prompt = new long[32];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = 1000 + 37L * i;
        }
        int fresh = 64;
        double cached = median(repeats, () -> predictor.greedy(prompt, fresh), err, "lm with cache");
        double uncached = median(repeats, () -> {
            long[] sequence = prompt;
            for (int i = 0; i < fresh; i++) {
                INDArray logits = model.forward(new long[][]{sequence}, Gpt2Model.LOGITS).get(Gpt2Model.LOGITS);
                long next = logits.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                        org.nd4j.linalg.indexing.NDArrayIndex.point(sequence.length - 1), org.nd4j.linalg.indexing.NDArrayIndex.all()).argMax().getLong(0);
                sequence = java.util.Arrays.copyOf(sequence, sequence.length + 1);
                sequence[sequence.length - 1] = next;
            }
            return sequence;
        }, err, "lm without cache");
        JsonObject report = new JsonObject();
        report.addProperty("model", "random GPT-2 small (124M), 32-token prompt, 64 new tokens");
        report.addProperty("tokens_per_second_with_cache", fresh / cached);
        report.addProperty("tokens_per_second_without_cache", fresh / uncached);
        report.addProperty("peak_rss_gib", ResidentMemory.peakGiB());
        return report;
    }

    /** SD 1.5: 320/640/1280/1280 channels, 2 layers per block, 8 heads, 768-wide text. */
    static UNetConfig sd15UNet() {
        return new UNetConfig(4, 4, new int[]{320, 640, 1280, 1280}, 2,
                List.of("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"),
                List.of("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"),
                768, new int[]{8, 8, 8, 8}, false, 32, 1e-5, true, 0, new int[]{1, 1, 1, 1}, null);
    }

    /** One warm-up run (graph building, first allocations), then the median of {@code repeats} timed runs. */
    private static double median(int repeats, Supplier<?> work, PrintStream err, String what) {
        work.get();
        double[] s = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long start = System.nanoTime();
            work.get();
            s[i] = (System.nanoTime() - start) / 1e9;
            err.printf("%s: %.3f s%n", what, s[i]);
        }
        Arrays.sort(s);
        return s[repeats / 2];
    }
}
