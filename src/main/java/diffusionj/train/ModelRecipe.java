package diffusionj.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import diffusionj.io.CheckpointException;
import diffusionj.io.StableDiffusionSchedule;
import diffusionj.sampling.NoiseSchedule;
import diffusionj.text.BpeTrainer;
import diffusionj.text.ClipTokenizer;
import diffusionj.vae.PixelUnshuffle;
import diffusionj.vae.VaeConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The architecture of a model trained here, written as a diffusers folder's configs: sized for a CPU
 * budget of about 1.7 s per batch-32 step on 2 cores (see BENCHMARKS.md). Diffusion runs in a 4× pixel-unshuffle
 * space (a 64² image is a 48-channel 16² latent, each latent pixel one 4×4 patch, as in patch-based diffusion
 * models; no autoencoder to train). The UNet has three levels of 48/96/128 channels with cross-attention at 8²
 * and 4² and in the middle block; the text tower is CLIP's, 2 layers of width 64, over a BPE vocabulary learned
 * from the training captions. The earlier 2× space (a 32² latent, 32/64/96 channels, attention at 16²) cost
 * 2.8 s per batch-16 step, so a 2-hour budget saw a third of the images.
 */
final class ModelRecipe {
    static final int MERGES = 2000;
    static final int UNSHUFFLE = 4;
    /** How much noisier than the cosine schedule training runs (see {@link #schedule}). */
    static final double NOISE_SHIFT = 4;
    /** The same for a learned latent space ({@link #latentSchedule}). */
    static final double LATENT_NOISE_SHIFT = 2;
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    private ModelRecipe() {
    }

    /**
     * Writes configs and the learned vocabulary into {@code dir}; weights come later from the trainer.
     *
     * @param autoencoder null to diffuse in the pixel unshuffle's space; else a trained autoencoder's folder
     *                    ({@link AutoencoderRun}), copied into {@code dir/vae}, whose latent space the UNet works in
     */
    static void write(Path dir, List<String> captions, int imageSize, Path autoencoder) {
        BpeTrainer.write(BpeTrainer.learn(captions, MERGES), dir.resolve("tokenizer"));
        ClipTokenizer tokenizer = ClipTokenizer.load(dir.resolve("tokenizer"));
        int vocab = tokenizer.eos() + 1;
        write(dir.resolve("tokenizer/tokenizer_config.json"), tokenizerConfig());
        write(dir.resolve("text_encoder/config.json"), textEncoder(vocab, tokenizer.bos(), tokenizer.eos()));
        if (autoencoder == null) {
            PixelUnshuffle codec = new PixelUnshuffle(UNSHUFFLE);
            write(dir.resolve("unet/config.json"), unet(3 * codec.factor() * codec.factor(), imageSize / codec.factor()));
            write(dir.resolve("vae/config.json"), codec.toJson());
            write(dir.resolve("scheduler/scheduler_config.json"), schedule());
            write(dir.resolve("model_index.json"), modelIndex(strings("diffusionj", PixelUnshuffle.CLASS_NAME)));
        } else {
            VaeConfig vae = AutoencoderRun.copy(autoencoder, dir.resolve("vae"));
            checkSize(imageSize, vae.downscale() * 4);
            write(dir.resolve("unet/config.json"), unet(vae.latentChannels(), imageSize / vae.downscale()));
            write(dir.resolve("scheduler/scheduler_config.json"), latentSchedule());
            write(dir.resolve("model_index.json"), modelIndex(strings("diffusers", "AutoencoderKL")));
        }
    }

    /** The UNet halves its input twice, so the image side must be a multiple of the codec's scale times 4. */
    static void checkSize(int imageSize, int multiple) {
        if (imageSize % multiple != 0) {
            throw new CheckpointException("train: --size must be a multiple of " + multiple
                    + " (the latent space's scale, then two halvings in the UNet), got " + imageSize);
        }
    }

    /**
     * SD's scheduler config with three changes for a model trained from scratch on pixels.
     * <ul>
     * <li>The clean sample as the target (diffusers' {@code prediction_type} "sample"). ε ignored the caption: the
     * first 750 steps of an ε run learned to denoise, but predictions for different captions differed by 0.4 % of
     * their norm, because the ε loss all but ignores the high-noise levels where the caption decides the picture.
     * v fixed that but stalled at low noise: trained on t &lt; 100 alone it removed a tenth of the noise in 130 steps
     * where the x̂₀ target removed two thirds; flat pictures are nearly all low-frequency, which an x̂₀ loss weighs
     * as the eye does ({@link diffusionj.sampling.Prediction#trainingTarget}). The x̂₀ target blurs what a nearly
     * clean input shows; EDM's preconditioning ("edm", σ_data 0.5) passes that input through, but after 1,000 steps
     * still removed only half the noise at t = 50, and its samples kept their starting noise where this target's
     * were clean from step 250 (BENCHMARKS.md).</li>
     * <li>A cosine schedule shifted to more noise (SNR ÷ 16, Hoogeboom et al., 2023), listed as {@code trained_betas},
     * and "trailing" spacing. SD's scaled-linear schedule leaves √ᾱ = 0.068 of the image in its noisiest sample; on
     * flat pictures whose mean is the light background that trace gives the picture away, and a run on it learned
     * to read colours from the trace instead of the caption: sampled from pure noise (no trace) x̂₀'s mean stayed
     * near 0 where every training image's is near 0.8, and the picture ended as noise (Lin et al., 2024). The
     * plain cosine schedule ends at ᾱ ≈ 2·10⁻⁹, but a 64² flat picture is so redundant that its mean can still be
     * read at t = 950 (√ᾱ = 0.08): at step 300 of a cosine run x̂₀ was fine there and 0.7 off (MSE) at t = 999,
     * where sampling starts. Shifted, every step above t ≈ 830 (a sixth of training) keeps less of the picture than
     * SD's noisiest, and there the caption alone must decide what is drawn.</li>
     * <li>x̂₀ clipped to [−1, 1] while sampling: our latents are the pixels themselves, whose range is known, as
     * in the pixel-space DDPM; and the last DDIM step lands on ᾱ = 1 ({@code set_alpha_to_one}), so no noise of
     * the shifted schedule's first step (σ ≈ 0.026) is left in the picture.</li>
     * </ul>
     */
    static JsonObject schedule() {
        JsonObject c = shiftedCosine(NOISE_SHIFT);
        c.addProperty("clip_sample", true);
        c.addProperty("clip_sample_range", 1.0);
        return c;
    }

    /**
     * The same schedule for a learned latent space, with two changes. No clipping of x̂₀: latents have unit spread,
     * not a known range. Half the shift (SNR ÷ 4 instead of ÷ 16): reading a picture's trace from noise gets easier
     * with the number of values that show it, and an 8-channel 16² latent holds 2,048 where a 64² image has 12,288;
     * six times fewer values call for a shift √6 ≈ 2.4 times smaller, rounded here to 2, so that the noisiest part of
     * the schedule still hides the picture without being pure noise.
     */
    static JsonObject latentSchedule() {
        JsonObject c = shiftedCosine(LATENT_NOISE_SHIFT);
        c.addProperty("clip_sample", false);
        return c;
    }

    /** The clean-sample target on the cosine schedule shifted by {@code shift}, "trailing", ending at ᾱ = 1. */
    private static JsonObject shiftedCosine(double shift) {
        JsonObject c = StableDiffusionSchedule.config("sample");
        c.addProperty("beta_schedule", "squaredcos_cap_v2");
        c.add("trained_betas", shiftedBetas(c, shift));
        c.addProperty("timestep_spacing", "trailing");
        c.addProperty("steps_offset", 0);
        c.addProperty("set_alpha_to_one", true);
        return c;
    }

    /** The β whose ᾱ' has the signal-to-noise ratio ᾱ/(1−ᾱ) of {@code config}'s schedule divided by shift². */
    private static JsonArray shiftedBetas(JsonObject config, double shift) {
        NoiseSchedule base = NoiseSchedule.fromConfig(config);
        JsonArray betas = new JsonArray();
        double previous = 1;
        for (int t = 0; t < base.trainTimesteps(); t++) {
            double a = base.alphaCumprod(t);
            double shifted = a / (a + shift * shift * (1 - a));
            betas.add((float) (1 - shifted / previous));
            previous = shifted;
        }
        return betas;
    }

    static JsonObject unet(int channels, int sampleSize) {
        JsonObject c = new JsonObject();
        c.addProperty("_class_name", "UNet2DConditionModel");
        c.addProperty("in_channels", channels);
        c.addProperty("out_channels", channels);
        c.addProperty("sample_size", sampleSize);
        c.add("block_out_channels", array(48, 96, 128));
        c.add("down_block_types", strings("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"));
        c.add("up_block_types", strings("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"));
        c.addProperty("layers_per_block", 1);
        c.addProperty("attention_head_dim", 4);
        c.addProperty("cross_attention_dim", 64);
        c.addProperty("norm_num_groups", 8);
        c.addProperty("norm_eps", 1e-5);
        c.addProperty("act_fn", "silu");
        c.addProperty("flip_sin_to_cos", true);
        c.addProperty("freq_shift", 0);
        return c;
    }

    /**
     * The autoencoder of {@code train-autoencoder}: diffusers' AutoencoderKL at 32/64/64 channels, one resnet per
     * encoder block, so a 64² image is a {@code latentChannels} × 16² latent (as the pixel unshuffle's is 48 × 16²),
     * and the UNet costs what it did. About a million parameters; an encode and decode of a batch-32 step at 64²
     * costs about what the UNet's step does. Its scaling factor is set when its run exports it.
     */
    static JsonObject autoencoder(AutoencoderShape shape, int sampleSize) {
        JsonObject c = new JsonObject();
        c.addProperty("_class_name", "AutoencoderKL");
        c.addProperty("in_channels", 3);
        c.addProperty("out_channels", 3);
        c.addProperty("latent_channels", shape.latentChannels());
        c.add("block_out_channels", array(shape.width(), 2 * shape.width(), 4 * shape.width()));
        c.add("down_block_types", strings("DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D"));
        c.add("up_block_types", strings("UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D"));
        c.addProperty("layers_per_block", shape.layersPerBlock());
        c.addProperty("norm_num_groups", AutoencoderShape.GROUPS);
        c.addProperty("act_fn", "silu");
        c.addProperty("sample_size", sampleSize);
        return c;
    }

    static JsonObject textEncoder(int vocab, int bos, int eos) {
        JsonObject c = new JsonObject();
        c.add("architectures", strings("CLIPTextModel"));
        c.addProperty("model_type", "clip_text_model");
        c.addProperty("vocab_size", vocab);
        c.addProperty("hidden_size", 64);
        c.addProperty("intermediate_size", 256);
        c.addProperty("num_hidden_layers", 2);
        c.addProperty("num_attention_heads", 4);
        c.addProperty("max_position_embeddings", ClipTokenizer.CONTEXT_LENGTH);
        c.addProperty("hidden_act", "quick_gelu");
        c.addProperty("layer_norm_eps", 1e-5);
        c.addProperty("bos_token_id", bos);
        c.addProperty("eos_token_id", eos);
        c.addProperty("pad_token_id", eos);
        return c;
    }

    private static JsonObject tokenizerConfig() {
        JsonObject c = new JsonObject();
        c.addProperty("model_max_length", ClipTokenizer.CONTEXT_LENGTH);
        c.addProperty("bos_token", "<|startoftext|>");
        c.addProperty("eos_token", "<|endoftext|>");
        c.addProperty("pad_token", "<|endoftext|>");
        c.addProperty("unk_token", "<|endoftext|>");
        c.addProperty("do_lower_case", true);
        c.addProperty("tokenizer_class", "CLIPTokenizer");
        return c;
    }

    private static JsonObject modelIndex(JsonArray vae) {
        JsonObject c = new JsonObject();
        c.addProperty("_class_name", "StableDiffusionPipeline");
        c.addProperty("_diffusers_version", "DiffusionJ");
        c.add("text_encoder", strings("transformers", "CLIPTextModel"));
        c.add("tokenizer", strings("transformers", "CLIPTokenizer"));
        c.add("unet", strings("diffusers", "UNet2DConditionModel"));
        c.add("vae", vae);
        c.add("scheduler", strings("diffusers", "DDIMScheduler"));
        return c;
    }

    private static JsonArray array(int... values) {
        JsonArray a = new JsonArray();
        for (int v : values) {
            a.add(v);
        }
        return a;
    }

    private static JsonArray strings(String... values) {
        JsonArray a = new JsonArray();
        for (String v : values) {
            a.add(v);
        }
        return a;
    }

    static void write(Path file, JsonObject json) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, GSON.toJson(json) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CheckpointException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
