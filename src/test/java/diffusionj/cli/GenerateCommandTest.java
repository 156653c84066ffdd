package diffusionj.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import diffusionj.Fixtures;
import diffusionj.io.PngFiles;
import diffusionj.io.Safetensors;
import diffusionj.io.SafetensorsWriter;
import diffusionj.pipeline.GenerationParameters;
import diffusionj.pipeline.GenerationRequest;
import diffusionj.sampling.ReplayedNoise;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static diffusionj.Parity.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The generate and unet-eval commands reproduce the fixtures' runs through their files. */
class GenerateCommandTest {
    @TempDir
    Path dir;

    private static String[] run(String... argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new String[]{String.valueOf(code), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    @ParameterizedTest(name = "{0} {1} from {2}")
    @CsvSource({"sd1-tiny, euler_ancestral, model-ldm.safetensors, 7.5", "sd2-tiny, dpmpp_2m_karras, model, 7.5", "sd1-tiny, ddim, model, 7.5",
            "sdxl-tiny, euler_ancestral, model-ldm.safetensors, 5", "sdxl-tiny, ddim, model-ldm-fp16.safetensors, 5"})
    void replayedNoiseAndInitialLatentReproduceTheFixturePipeline(String set, String sampler, String form, String cfg) throws Exception {
        double tolerance = form.contains("fp16") ? 1e-2 : 1e-4;
        try (Safetensors g = Safetensors.open(Fixtures.path(set, "golden/pipeline_" + sampler + ".safetensors"))) {
            Path latents = dir.resolve("latents.safetensors");
            Path png = dir.resolve("out.png");
            String[] r = run(concat(new String[]{"generate", "--model", Fixtures.path(set, form).toString(), "--prompt", "a red circle on the left and a blue square",
                    "--negative", "blurry, palm tree", "--sampler", sampler, "--steps", "10", "--cfg", cfg, "--seed", "0",
                    "--width", "64", "--height", "64", "--out", png.toString(), "--save-latents", latents.toString(), "--maps", dir.resolve("maps").toString()},
                    replayArguments(g)));
            assertEquals("0", r[0], r[2]);
            try (Safetensors saved = Safetensors.open(latents)) {
                for (int i = 0; i < 10; i++) {
                    String key = String.format("step%02d.latent", i);
                    assertClose(g.load(key), saved.load(key), tolerance, key);
                }
                assertClose(g.load("image"), saved.load("image"), tolerance, "image");
            }
            if (form.contains("fp16")) {
                return; // float16 weights: latents within 1e-2, not the golden's exact levels
            }
            BufferedImage image = ImageIO.read(png.toFile());
            assertEquals(64, image.getWidth());
            int[] rgb = image.getRGB(0, 0, 64, 64, null, 0, 64);
            INDArray expected = g.load("image_uint8");
            int off = 0;
            for (int y = 0; y < 64; y++) {
                for (int x = 0; x < 64; x++) {
                    int p = rgb[y * 64 + x];
                    int[] levels = {(p >> 16) & 255, (p >> 8) & 255, p & 255};
                    for (int c = 0; c < 3; c++) {
                        int d = Math.abs(levels[c] - expected.getInt(0, c, y, x));
                        assertTrue(d <= 1, "pixel " + x + "," + y + " channel " + c + " off by " + d);
                        off += d;
                    }
                }
            }
            assertTrue(off <= 0.005 * 64 * 64 * 3, off + " levels differ");
            String parameters = PngFiles.readText(png, "parameters");
            GenerationRequest back = GenerationParameters.parse(parameters);
            assertEquals(sampler, back.sampler());
            assertEquals("blurry, palm tree", back.negativePrompt());
            if (sampler.equals("ddim")) {
                try (Safetensors daam = Safetensors.open(Fixtures.path(set, "golden/daam_ddim.safetensors"));
                     Safetensors maps = Safetensors.open(dir.resolve("maps/token_maps.safetensors"))) {
                    assertClose(daam.load("token_maps"), maps.load("token_maps"), 1e-4, "token_maps");
                    assertEquals(daam.load("mask.circle"), maps.load("mask.circle"));
                    assertTrue(Files.isRegularFile(dir.resolve("maps/word-circle.png")));
                    assertMaskPng(daam.load("mask.circle"), dir.resolve("maps/mask-circle.png"));
                }
            }
        }
    }

    /** The mask PNG is the mask tensor as pixels: 255 inside, 0 outside. */
    private static void assertMaskPng(INDArray mask, Path png) throws IOException {
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(mask.size(1), image.getWidth());
        assertEquals(mask.size(0), image.getHeight());
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                assertEquals(mask.getDouble(y, x) > 0 ? 255 : 0, image.getRaster().getSample(x, y, 0), "mask pixel " + x + "," + y);
            }
        }
    }

    /** {@code --init-latent} and {@code --replay-noise} files holding a golden run's start and noise. */
    private String[] replayArguments(Safetensors g) {
        Path init = dir.resolve("init.safetensors");
        SafetensorsWriter.float32().write(init, Map.of("init_latent", g.load("init_latent")));
        Map<String, INDArray> noise = new LinkedHashMap<>();
        for (int i = 0; g.contains(ReplayedNoise.key(i)); i++) {
            noise.put(ReplayedNoise.key(i), g.load(ReplayedNoise.key(i)));
        }
        Path replay = dir.resolve("noise.safetensors");
        SafetensorsWriter.float32().write(replay, noise);
        return new String[]{"--init-latent", init.toString(), "--replay-noise", replay.toString()};
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** The LoRA and embedding goldens of sd1-tiny/lora, from the prompts its manifest writes, through the command line. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "lora_pipeline_ddim | a photo of a cat <lora:kohya:0.8> | blurry, palm tree | --lora-dir | Lora hashes: \"kohya: ",
            "ti_pipeline_ddim | a photo of mychar on a beach | badneg, blurry | --embeddings-dir | TI hashes: \"mychar: "})
    void loraTagsAndEmbeddingNamesInThePromptsReproduceTheGoldens(String golden, String prompt, String negative, String folderFlag,
                                                                  String recorded) throws Exception {
        try (Safetensors g = Safetensors.open(Fixtures.path("sd1-tiny", "lora/golden/" + golden + ".safetensors"))) {
            Path latents = dir.resolve("latents.safetensors");
            Path png = dir.resolve("out.png");
            Path folder = Fixtures.path("sd1-tiny", folderFlag.equals("--lora-dir") ? "lora" : "lora/embeddings");
            String[] r = run(concat(new String[]{"generate", "--model", Fixtures.path("sd1-tiny", "model").toString(), "--prompt", prompt,
                    "--negative", negative, "--sampler", "ddim", "--steps", "10", "--cfg", "7.5", "--seed", "0", "--width", "64", "--height", "64",
                    "--out", png.toString(), "--save-latents", latents.toString(), folderFlag, folder.toString()}, replayArguments(g)));
            assertEquals("0", r[0], r[2]);
            try (Safetensors saved = Safetensors.open(latents)) {
                for (int i = 0; i < 10; i++) {
                    String key = String.format("step%02d.latent", i);
                    assertClose(g.load(key), saved.load(key), 1e-3, golden + " " + key);
                }
                assertClose(g.load("image"), saved.load("image"), 1e-3, golden + " image");
            }
            String parameters = PngFiles.readText(png, "parameters");
            assertTrue(parameters.startsWith(prompt + "\n"), parameters);
            assertTrue(parameters.contains(recorded), parameters);
        }
    }

    /**
     * SDXL from the command line with the family's defaults: CFG 5 and the model's size when not given, and an empty
     * negative prompt conditioned on zeros (pipeline_euler_emptyneg).
     */
    @Test
    void sdxlUsesItsFamilysDefaultsAndAnEmptyNegativeIsZeros() throws Exception {
        try (Safetensors g = Safetensors.open(Fixtures.path("sdxl-tiny", "golden/pipeline_euler_emptyneg.safetensors"))) {
            Path latents = dir.resolve("latents.safetensors");
            Path png = dir.resolve("out.png");
            String[] r = run(concat(new String[]{"generate", "--model", Fixtures.path("sdxl-tiny", "model-ldm.safetensors").toString(),
                    "--prompt", "a red circle on the left and a blue square", "--negative", "", "--sampler", "euler", "--steps", "10",
                    "--seed", "0", "--out", png.toString(), "--save-latents", latents.toString()}, replayArguments(g)));
            assertEquals("0", r[0], r[2]);
            try (Safetensors saved = Safetensors.open(latents)) {
                for (int i = 0; i < 10; i++) {
                    String key = String.format("step%02d.latent", i);
                    assertClose(g.load(key), saved.load(key), 1e-3, key);
                }
            }
            String parameters = PngFiles.readText(png, "parameters");
            assertTrue(parameters.contains("CFG scale: 5,") && parameters.contains("Size: 64x64"), parameters);
        }
    }

    /** SDXL's size conditioning reaches the UNet and the parameters text; other families refuse it; a bad pair is named. */
    @Test
    void originalSizeAndCropAreSdxlsAndRecorded() throws Exception {
        String[] common = {"generate", "--prompt", "a red circle", "--steps", "2", "--seed", "3", "--sampler", "ddim"};
        String sdxl = Fixtures.path("sdxl-tiny", "model").toString();
        String[] plain = run(concat(common, new String[]{"--model", sdxl, "--out", dir.resolve("plain.png").toString()}));
        String[] sized = run(concat(common, new String[]{"--model", sdxl, "--out", dir.resolve("sized.png").toString(),
                "--original-size", "128,96", "--crop-top-left", "16,8"}));
        assertEquals("0", sized[0], sized[2]);
        String parameters = PngFiles.readText(dir.resolve("sized.png"), "parameters");
        assertTrue(parameters.contains("Original size: 128x96, Crop top left: 16,8"), parameters);
        GenerationRequest back = GenerationParameters.parse(parameters);
        assertEquals(new diffusionj.unet.SizeConditioning(128, 96, 16, 8), back.sizes());
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(dir.resolve("plain.png")), Files.readAllBytes(dir.resolve("sized.png"))),
                "the sizes change the picture");
        String[] sd1 = run(concat(common, new String[]{"--model", Fixtures.path("sd1-tiny", "model").toString(), "--out",
                dir.resolve("x.png").toString(), "--original-size", "128,96"}));
        assertEquals("1", sd1[0]);
        assertTrue(sd1[2].contains("SDXL") && !sd1[2].contains("Exception"), sd1[2]);
        String[] bad = run(concat(common, new String[]{"--model", sdxl, "--out", dir.resolve("x.png").toString(), "--crop-top-left", "16"}));
        assertEquals("2", bad[0]);
        assertTrue(bad[2].contains("--crop-top-left") && bad[2].contains("'16'"), bad[2]);
    }

    /** Few-step use: a schedule type places the timesteps, CFG 1 runs the prompt half alone; both are recorded. */
    @Test
    void aScheduleTypeAndUnguidedFewStepRunsWork() throws Exception {
        String[] r = run("generate", "--model", Fixtures.path("sdxl-tiny", "model").toString(), "--prompt", "a blue square", "--steps", "4",
                "--cfg", "1", "--sampler", "euler", "--schedule", "sgm_uniform", "--seed", "1", "--out", dir.resolve("turbo.png").toString());
        assertEquals("0", r[0], r[2]);
        String parameters = PngFiles.readText(dir.resolve("turbo.png"), "parameters");
        assertTrue(parameters.contains("Schedule type: SGM Uniform") && parameters.contains("CFG scale: 1,"), parameters);
        assertEquals("sgm_uniform", GenerationParameters.parse(parameters).schedule());
        String[] unknown = run("generate", "--model", Fixtures.path("sdxl-tiny", "model").toString(), "--prompt", "a blue square",
                "--steps", "4", "--schedule", "karras", "--out", dir.resolve("x.png").toString());
        assertEquals("1", unknown[0]);
        assertTrue(unknown[2].contains("karras") && unknown[2].contains("sgm_uniform"), unknown[2]);
    }

    /** --hires-* from the command line: the second pass's size, its fields in the PNG; a hires flag without a size is refused. */
    @Test
    void theHiresFixFlagsMakeTheLargeImageAndAreRecorded() throws Exception {
        String model = Fixtures.path("sd1-tiny", "model").toString();
        String[] r = run("generate", "--model", model, "--prompt", "a red circle", "--steps", "3", "--seed", "2", "--width", "64", "--height", "64",
                "--hires-width", "96", "--hires-steps", "2", "--hires-denoise", "0.5", "--hires-upscaler", "bicubic", "--out",
                dir.resolve("hires.png").toString());
        assertEquals("0", r[0], r[2]);
        java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(dir.resolve("hires.png").toFile());
        assertEquals(96, image.getWidth());
        assertEquals(96, image.getHeight());
        String parameters = PngFiles.readText(dir.resolve("hires.png"), "parameters");
        assertTrue(parameters.contains("Size: 64x64,") && parameters.contains("Denoising strength: 0.5, Hires resize: 96x0, Hires steps: 2,"
                + " Hires upscaler: Bicubic"), parameters);
        String[] alone = run("generate", "--model", model, "--prompt", "a red circle", "--hires-steps", "2", "--out", dir.resolve("x.png").toString());
        assertEquals("2", alone[0]);
        assertTrue(alone[2].contains("--hires-steps needs --hires-scale or --hires-width/--hires-height"), alone[2]);
    }

    @Test
    void aLoraTagWithoutItsFileNamesTheFoldersSearched() {
        String[] r = run("generate", "--model", Fixtures.path("sd1-tiny", "model").toString(), "--prompt", "a cat <lora:nosuch:1>",
                "--steps", "1", "--width", "64", "--height", "64", "--out", dir.resolve("x.png").toString(),
                "--lora-dir", dir.toString());
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("nosuch") && r[2].contains(dir.toString()) && !r[2].contains("Exception"), r[2]);
    }

    /** SDXL's input file also holds text_embeds and time_ids. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"sd2-tiny", "sdxl-tiny"})
    void unetEvalWritesThePrediction(String set) {
        Path out = dir.resolve("out.safetensors");
        String[] r = run("unet-eval", "--model", Fixtures.path(set, "model-ldm.safetensors").toString(),
                "--in", Fixtures.path(set, "golden/unet_t500.safetensors").toString(), "--out", out.toString());
        assertEquals("0", r[0], r[2]);
        JsonObject summary = JsonParser.parseString(r[1]).getAsJsonObject();
        assertEquals("[2,4,8,8]", summary.get("shape").toString());
        try (Safetensors written = Safetensors.open(out); Safetensors g = Safetensors.open(Fixtures.path(set, "golden/unet_t500.safetensors"))) {
            assertClose(g.load("out"), written.load("out"), 1e-4, "out");
        }
    }

    @Test
    void unetEvalOnSdxlWithoutItsAddedInputsNamesThem() {
        String[] r = run("unet-eval", "--model", Fixtures.path("sdxl-tiny", "model").toString(),
                "--in", Fixtures.path("sd1-tiny", "golden/unet_t500.safetensors").toString(), "--out", dir.resolve("o.safetensors").toString());
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("text_embeds") && !r[2].contains("Exception"), r[2]);
    }

    @Test
    void lmEvalWritesTheReferenceLogits() {
        Path out = dir.resolve("logits.safetensors");
        String[] r = run("lm-eval", "--lm", Fixtures.path("gpt2-tiny", "model").toString(),
                "--in", Fixtures.path("gpt2-tiny", "golden/gpt2.safetensors").toString(), "--out", out.toString());
        assertEquals("0", r[0], r[2]);
        assertEquals("[2,16,50257]", JsonParser.parseString(r[1]).getAsJsonObject().get("shape").toString());
        try (Safetensors written = Safetensors.open(out); Safetensors g = Safetensors.open(Fixtures.path("gpt2-tiny", "golden/gpt2.safetensors"))) {
            assertClose(g.load("logits"), written.load("logits"), 1e-4, "logits");
        }
        String[] missing = run("lm-eval", "--lm", dir.toString(), "--in", out.toString(), "--out", out.toString());
        assertEquals("1", missing[0]);
        assertTrue(missing[2].contains("not a GPT-2 model folder"), missing[2]);
    }

    @Test
    void completePrintsCandidatesAndAReproducibleContinuation() {
        String lm = Fixtures.path("gpt2-tiny", "model").toString();
        String[] a = run("complete", "--lm", lm, "--text", "a red circle", "--top-k", "3", "--max-tokens", "5", "--seed", "11");
        String[] b = run("complete", "--lm", lm, "--text", "a red circle", "--top-k", "3", "--max-tokens", "5", "--seed", "11");
        assertEquals("0", a[0], a[2]);
        JsonObject o = JsonParser.parseString(a[1]).getAsJsonObject();
        assertEquals(3, o.getAsJsonArray("candidates").size());
        JsonObject first = o.getAsJsonArray("candidates").get(0).getAsJsonObject();
        assertTrue(first.has("token") && first.has("id") && first.has("p"));
        assertEquals(a[1], b[1]);
        assertTrue(o.get("continuation").getAsString().length() > 0);
    }

    @Test
    void sameSeedSameImageAndTheSeedIsReported() throws Exception {
        String model = Fixtures.path("sd1-tiny", "model").toString();
        String[] a = run("generate", "--model", model, "--prompt", "a blue square", "--steps", "3", "--seed", "7", "--out", dir.resolve("a.png").toString());
        String[] b = run("generate", "--model", model, "--prompt", "a blue square", "--steps", "3", "--seed", "7", "--out", dir.resolve("b.png").toString());
        assertEquals("0", a[0], a[2]);
        assertEquals("[7]", JsonParser.parseString(a[1]).getAsJsonObject().get("seeds").toString());
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(dir.resolve("a.png")), Files.readAllBytes(dir.resolve("b.png"))));
    }

    @Test
    void badRequestsAreOneLineErrors() {
        String model = Fixtures.path("sd1-tiny", "model").toString();
        String[] size = run("generate", "--model", model, "--prompt", "x", "--width", "100", "--out", dir.resolve("x.png").toString());
        assertEquals("1", size[0]);
        assertTrue(size[2].contains("width must be a multiple of 8") && !size[2].contains("\tat "), size[2]);
        String[] steps = run("generate", "--model", model, "--prompt", "x", "--steps", "500", "--out", dir.resolve("x.png").toString());
        assertTrue(steps[2].contains("steps must be between 1 and 150"), steps[2]);
        String[] empty = run("generate", "--model", model, "--prompt", "  ", "--out", dir.resolve("x.png").toString());
        assertTrue(empty[2].contains("prompt is empty"), empty[2]);
        String[] sampler = run("generate", "--model", model, "--prompt", "x", "--sampler", "k_magic", "--out", dir.resolve("x.png").toString());
        assertTrue(sampler[2].contains("unknown sampler 'k_magic'") && sampler[2].contains("euler_ancestral"), sampler[2]);
    }

    @Test
    void aNanWeightIsAnErrorNamingTheUnetStepNotABlackPicture() {
        Path broken = dir.resolve("broken.safetensors");
        try (Safetensors file = Safetensors.open(Fixtures.path("sd1-tiny", "model-ldm.safetensors"))) {
            Map<String, INDArray> tensors = new LinkedHashMap<>();
            file.names().forEach(n -> tensors.put(n, file.load(n)));
            tensors.get("model.diffusion_model.out.2.weight").putScalar(0, Float.NaN);
            SafetensorsWriter.float32().write(broken, tensors);
        }
        Path png = dir.resolve("black.png");
        String[] r = run("generate", "--model", broken.toString(), "--tokenizer", Fixtures.path("sd1-tiny", "model/tokenizer").toString(),
                "--prompt", "a red circle", "--steps", "2", "--sampler", "ddim", "--width", "64", "--height", "64", "--out", png.toString());
        assertEquals("1", r[0], r[1] + r[2]);
        assertTrue(r[2].contains("the UNet at step 1/2") && r[2].contains("NaN or infinite") && !r[2].contains("\tat "), r[2]);
        assertFalse(Files.exists(png), "no picture is written");
    }

    /**
     * Out of memory is a one-line error naming the size asked for and what to try, with no picture written: run
     * through the README's launcher with the limits a user sets (off-heap 300 MB, process 400 MB), a 1024² image
     * from the tiny model needs more.
     */
    @Test
    void outOfMemoryIsAnErrorNamingTheSizeNotACrash() throws Exception {
        Path png = dir.resolve("big.png");
        Path root = Path.of("").toAbsolutePath();
        ProcessBuilder pb = new ProcessBuilder(root.resolve("bin/diffusionj").toString(), "generate",
                "--model", Fixtures.path("sd1-tiny", "model").toString(), "--prompt", "a red circle", "--steps", "1",
                "--width", "1024", "--height", "1024", "--seed", "1", "--out", png.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("oom.log").toFile());
        pb.environment().putAll(Map.of("DIFFUSIONJ_OFFHEAP", "300M", "DIFFUSIONJ_PHYSICAL", "400M", "DIFFUSIONJ_HEAP", "512m"));
        Process p = pb.start();
        assertTrue(p.waitFor(600, java.util.concurrent.TimeUnit.SECONDS), "finished");
        String output = Files.readString(dir.resolve("oom.log"));
        assertEquals(1, p.exitValue(), output);
        assertTrue(output.contains("error: out of memory generating 1024×1024") && output.contains("try a smaller size"), output);
        assertFalse(output.contains("\tat "), "no stack trace: " + output);
        assertFalse(Files.exists(png), "no picture is written");
    }
}
