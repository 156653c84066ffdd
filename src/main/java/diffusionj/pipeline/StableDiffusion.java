package diffusionj.pipeline;

import diffusionj.io.Checkpoint;
import diffusionj.io.Checkpoints;
import diffusionj.io.Component;
import diffusionj.io.EmbeddedModel;
import diffusionj.io.WeightSource;
import diffusionj.lora.ActiveLoras;
import diffusionj.lora.LoraTargets;
import diffusionj.nn.GraphRunner;
import diffusionj.sampling.NoiseSchedule;
import diffusionj.io.ModelFamily;
import diffusionj.text.ClipTokenizer;
import diffusionj.text.PromptEncoder;
import diffusionj.text.TextConditioning;
import diffusionj.unet.UNet2DConditionModel;
import diffusionj.vae.ImageCodec;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/** A loaded Stable Diffusion model: tokenizer, text encoders, UNet, autoencoder and noise schedule. */
public final class StableDiffusion implements AutoCloseable {
    private final Checkpoint checkpoint;
    private final TextConditioning text;
    private final UNet2DConditionModel unet;
    private final ImageCodec vae;
    private final NoiseSchedule schedule;
    private volatile MeasuredPeak lastPeak;
    private ActiveLoras loras;

    /** The most resident memory of the whole process while this model made a {@code width}×{@code height} batch. */
    public record MeasuredPeak(int width, int height, int batch, double gib) {
    }

    private StableDiffusion(Checkpoint checkpoint) {
        this.checkpoint = checkpoint;
        this.text = TextConditioning.load(checkpoint);
        this.unet = UNet2DConditionModel.load(checkpoint);
        this.vae = ImageCodec.load(checkpoint);
        this.schedule = NoiseSchedule.fromConfig(checkpoint.config(Component.SCHEDULER));
    }

    public static StableDiffusion load(Path model, Path tokenizerDir) {
        Checkpoint checkpoint = Checkpoints.open(model, tokenizerDir);
        try {
            return new StableDiffusion(checkpoint);
        } catch (RuntimeException e) {
            checkpoint.close();
            throw e;
        }
    }

    /** What the last generation with this model took (see {@link ResidentMemory}); empty before the first. */
    public java.util.Optional<MeasuredPeak> lastPeak() {
        return java.util.Optional.ofNullable(lastPeak);
    }

    void recordPeak(MeasuredPeak peak) {
        this.lastPeak = peak;
    }

    /** The first text tower (the only one but for SDXL): tokenizer, prompt encoding for SD 1.x/2.x, token counts. */
    public PromptEncoder prompts() {
        return text.first();
    }

    /** What the UNet is conditioned on besides the latent, as this model's family makes it. */
    public TextConditioning conditioning() {
        return text;
    }

    public ModelFamily family() {
        return checkpoint.family();
    }

    public ClipTokenizer tokenizer() {
        return text.first().tokenizer();
    }

    public UNet2DConditionModel unet() {
        return unet;
    }

    /** The LoRAs merged into this model's text encoder and UNet (none until a prompt asks for one). */
    public synchronized ActiveLoras loras() {
        if (loras == null) {
            WeightSource unetWeights = checkpoint.weights(Component.UNET);
            Map<Component, WeightSource> sources = new java.util.EnumMap<>(Component.class);
            Map<Component, diffusionj.nn.WeightStore> stores = new java.util.EnumMap<>(Component.class);
            sources.put(Component.UNET, unetWeights);
            stores.put(Component.UNET, unet.weights());
            java.util.List<Component> towers = checkpoint.family().textTowers();
            for (int i = 0; i < towers.size(); i++) {
                sources.put(towers.get(i), checkpoint.weights(towers.get(i)));
                stores.put(towers.get(i), text.towers().get(i).encoder().weights());
            }
            Map<Component, WeightSource> textSources = new java.util.EnumMap<>(sources);
            textSources.remove(Component.UNET);
            LoraTargets targets = new LoraTargets(unetWeights, unet.config().layersPerBlock(), textSources, checkpoint.family());
            loras = new ActiveLoras(targets, sources, stores);
        }
        return loras;
    }

    /** The LoRAs merged in now; none, without indexing the model's layers, when no prompt has asked for one. */
    public synchronized java.util.List<diffusionj.lora.LoraUse> lorasInForce() {
        return loras == null ? java.util.List.of() : loras.current();
    }

    /** The checkpoint's file or folder. */
    public Path path() {
        return checkpoint.path();
    }

    public ImageCodec vae() {
        return vae;
    }

    public NoiseSchedule schedule() {
        return schedule;
    }

    /** The largest CLIP skip the model's text conditioning accepts. */
    public int maxClipSkip() {
        return text.maxClipSkip();
    }

    /** The size the UNet was trained at ({@code sample_size} × the autoencoder's scale), 512 when not stated. */
    public int defaultImageSize() {
        com.google.gson.JsonObject c = checkpoint.config(Component.UNET);
        return c.has("sample_size") && !c.get("sample_size").isJsonNull()
                ? c.get("sample_size").getAsInt() * vae.downscale() : 512;
    }

    /** This model's {@link #name(Path)}. */
    public String name() {
        return name(checkpoint.path());
    }

    /** The file or folder name without ".safetensors", as the web UIs show it; "embedded" for ours, wherever it was unpacked. */
    public static String name(Path model) {
        if (EmbeddedModel.isEmbedded(model)) {
            return EmbeddedModel.NAME;
        }
        String n = model.getFileName().toString();
        return n.endsWith(".safetensors") ? n.substring(0, n.length() - ".safetensors".length()) : n;
    }

    /**
     * The web UIs' short model hash: SHA-256 of the 64 KiB at offset 1 MiB of the weights file, first 8 hex
     * digits — quick even for multi-gigabyte files. For a diffusers folder, of its UNet weights.
     */
    public String shortHash() {
        return shortHash(checkpoint);
    }

    public static String shortHash(Checkpoint checkpoint) {
        Path file = Files.isDirectory(checkpoint.path()) ? checkpoint.weights(Component.UNET).file().file() : checkpoint.path();
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            byte[] block = new byte[0x10000];
            long offset = f.length() > 0x100000 + 0x10000 ? 0x100000 : 0;
            f.seek(offset);
            int n = f.read(block);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(block, 0, Math.max(n, 0));
            return HexFormat.of().formatHex(sha.digest()).substring(0, 8);
        } catch (IOException | NoSuchAlgorithmException e) {
            return "unknown";
        }
    }

    @Override
    public void close() {
        checkpoint.close();
        // The arena's slabs served this model's graphs; what no other graph is using goes back to the system.
        GraphRunner.ARRAYS.trim();
    }
}
