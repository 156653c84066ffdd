package diffusionj.cli;

import com.google.gson.JsonObject;
import diffusionj.io.EmbeddedModel;
import diffusionj.io.PngFiles;
import diffusionj.nn.GraphRunner;
import diffusionj.pipeline.GenerationRequest;
import diffusionj.pipeline.GenerationResult;
import diffusionj.pipeline.Images;
import diffusionj.pipeline.Pipeline;
import diffusionj.pipeline.ProgressListener;
import diffusionj.pipeline.ResidentMemory;
import diffusionj.pipeline.RunOptions;
import diffusionj.pipeline.StableDiffusion;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * {@code bench --e2e}: what a user's generation costs. A random SD 1.5- or SDXL-sized single-file checkpoint of the
 * asked precision is written to a temporary folder by a process of its own; then this process opens it, encodes a
 * prompt, runs N classifier-free-guidance steps, decodes and writes the PNG, exactly as {@code generate} does,
 * and reports each phase's time and the memory held after loading and at the peak (VmHWM: the whole process).
 */
final class EndToEndBench {
    private EndToEndBench() {
    }

    /**
     * @param sdxl  an SDXL-sized checkpoint, else SD 1.5-sized
     * @param given a checkpoint written before (with its tokenizer folder), or null to write one
     */
    static JsonObject run(boolean sdxl, boolean half, Path given, Path givenTokenizer, int size, int steps, PrintStream err)
            throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("diffusionj-bench-");
        try {
            String family = sdxl ? "SDXL" : "SD 1.5";
            Path file = given != null ? given : dir.resolve((sdxl ? "sdxl" : "sd15") + (half ? "-random-fp16.safetensors" : "-random-fp32.safetensors"));
            Path tokenizer = given != null ? givenTokenizer : dir.resolve("tokenizer");
            if (given == null) {
                err.println("writing a random " + family + "-sized " + (half ? "fp16" : "fp32") + " checkpoint to " + file);
                writeCheckpoint(sdxl, file, tokenizer, half);
            }
            JsonObject report = new JsonObject();
            report.addProperty("model", "random " + family + "-sized single file, " + (half ? "fp16" : "fp32") + ", "
                    + Files.size(file) / 1e9 + " GB");
            report.addProperty("size", size);
            report.addProperty("steps", steps);

            // ND4J's own start (its native libraries, once per process) is not the model's loading.
            long backend = System.nanoTime();
            Nd4j.create(1);
            report.addProperty("nd4j_start_seconds", seconds(backend));
            long start = System.nanoTime();
            StableDiffusion sd = StableDiffusion.load(file, tokenizer);
            long latent = size / sd.vae().downscale();
            sd.unet().crossAttentionLayers(latent, latent, 77);
            sd.vae().build(latent, latent);
            report.addProperty("load_seconds", seconds(start));
            report.addProperty("rss_gib_after_load", ResidentMemory.currentGiB());
            double loadPeak = ResidentMemory.peakGiB();
            err.println("ready in " + report.get("load_seconds") + " s");

            Phases phases = new Phases(err);
            GenerationRequest request = new GenerationRequest("a photo of a cat", "blurry", "euler", steps, GenerationRequest.MODEL_GUIDANCE, 1,
                    size, size, 1, 1);
            GenerationResult result = new Pipeline(sd).generate(request, false, RunOptions.NONE, phases, () -> false);
            phases.finished = System.nanoTime();
            Path png = dir.resolve("bench.png");
            PngFiles.write(png, Images.toBufferedImage(result.images().get(0)), Map.of("parameters", result.parameters().get(0)));
            report.addProperty("text_encode_seconds", (phases.denoisingStart - phases.encoding) / 1e9);
            report.addProperty("cfg_step_seconds", phases.medianStep());
            report.addProperty("page_faults_per_cfg_step", (phases.faultsAtDecoding - phases.faultsAtDenoising) / steps);
            report.addProperty("vae_decode_seconds", (phases.finished - phases.decoding) / 1e9);
            phases.phaseEnds("png");
            report.addProperty("peak_rss_gib", Math.max(loadPeak, phases.peaks.values().stream().mapToDouble(Double::doubleValue).max().orElse(0)));
            report.addProperty("peak_rss_gib_load", loadPeak);
            report.addProperty("arena_gib", GraphRunner.ARRAYS.heldBytes() / (double) (1L << 30));
            phases.peaks.forEach((phase, peak) -> report.addProperty("peak_rss_gib_" + phase, peak));
            return report;
        } finally {
            EmbeddedModel.deleteQuietly(dir);
        }
    }

    /** Times taken from the pipeline's own progress reports. */
    private static final class Phases implements ProgressListener {
        private final PrintStream err;
        long encoding;
        long denoisingStart;
        long decoding;
        long finished;
        long faultsAtDenoising;
        long faultsAtDecoding;
        private double lastSeconds;
        private final List<Double> steps = new ArrayList<>();
        /** The most resident memory of each phase: the kernel's high-water mark, reset as each phase begins. */
        final Map<String, Double> peaks = new java.util.LinkedHashMap<>();
        private String phase;

        void phaseEnds(String next) {
            if (phase != null) {
                peaks.put(phase, ResidentMemory.peakGiB());
            }
            phase = next;
            ResidentMemory.resetPeak();
        }

        Phases(PrintStream err) {
            this.err = err;
        }

        @Override
        public void stage(String what) {
            if (what.equals("encoding prompt")) {
                encoding = System.nanoTime();
                phaseEnds("text");
            } else if (what.equals("denoising")) {
                denoisingStart = System.nanoTime();
                faultsAtDenoising = ResidentMemory.minorPageFaults();
                phaseEnds("unet");
            } else if (what.equals("decoding")) {
                decoding = System.nanoTime();
                faultsAtDecoding = ResidentMemory.minorPageFaults();
                phaseEnds("vae_decode");
            }
        }

        @Override
        public void step(int done, int total, double seconds) {
            steps.add(seconds - lastSeconds);
            err.printf("step %d/%d: %.2f s%n", done, total, seconds - lastSeconds);
            lastSeconds = seconds;
        }

        double medianStep() {
            List<Double> sorted = new ArrayList<>(steps);
            Collections.sort(sorted);
            return sorted.get(sorted.size() / 2);
        }
    }

    private static void writeCheckpoint(boolean sdxl, Path file, Path tokenizer, boolean half) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"),
                RandomSd15Checkpoint.class.getName(), file.toString(), tokenizer.toString(), half ? "fp16" : "fp32", sdxl ? "sdxl" : "sd15")
                .inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException("writing the random checkpoint failed (exit " + p.exitValue() + ")");
        }
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
