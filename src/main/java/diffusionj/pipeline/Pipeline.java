package diffusionj.pipeline;

import diffusionj.attention.CrossAttentionSums;
import diffusionj.attention.PromptTokens;
import diffusionj.attention.TokenMaps;
import diffusionj.io.ExtraNetworkFolders;
import diffusionj.lora.LoraFile;
import diffusionj.lora.LoraTags;
import diffusionj.lora.LoraUse;
import diffusionj.nn.GraphRunner;
import diffusionj.text.Embeddings;
import diffusionj.text.PromptEncoder;
import diffusionj.text.TextConditioning;
import diffusionj.text.TextualInversion;
import diffusionj.sampling.NoiseSchedule;
import diffusionj.sampling.NoiseSource;
import diffusionj.sampling.Sampler;
import diffusionj.sampling.Samplers;
import diffusionj.unet.UNet2DConditionModel;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.basictypeaccess.array.IntArray;
import net.imglib2.type.numeric.ARGBType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Text-to-image with classifier-free guidance: the negative prompt is the unconditional branch, the UNet
 * runs on the batch [negative, prompt] and the prediction is ε_neg + g·(ε_prompt − ε_neg). Between steps the
 * run can be cancelled; cross-attention is folded into token maps as the steps go.
 */
public final class Pipeline {
    private final StableDiffusion model;
    private final ExtraNetworkFolders folders;

    /** A pipeline that finds LoRAs and embeddings in the web UI's folders beside the checkpoint ({@link ExtraNetworkFolders#beside}). */
    public Pipeline(StableDiffusion model) {
        this(model, ExtraNetworkFolders.beside(model.path()));
    }

    public Pipeline(StableDiffusion model, ExtraNetworkFolders folders) {
        this.model = model;
        this.folders = folders;
    }

    public GenerationResult generate(GenerationRequest request, boolean tokenMaps, RunOptions options,
                                     ProgressListener progress, BooleanSupplier cancelled) {
        return generate(request, null, tokenMaps, options, progress, cancelled);
    }

    /**
     * @param init null for text-to-image; else image-to-image from its pixels, and inpainting when it has a
     *             mask: after every step the latent outside the mask is reset to the original noised to the
     *             sampler's current level, and the decoded result is blended with the original through the
     *             soft mask, so only the masked region changes.
     */
    public GenerationResult generate(GenerationRequest request, InitImage init, boolean tokenMaps, RunOptions options,
                                     ProgressListener progress, BooleanSupplier cancelled) {
        try {
            return run(request, init, tokenMaps, options, progress, cancelled);
        } catch (OutOfMemoryError e) {
            // ND4J's arrays live outside the Java heap; JavaCPP refuses an allocation beyond its limits with this
            // error. What was kept for reuse is freed, and the user learns what was asked and what to change.
            GraphRunner.ARRAYS.trim();
            throw new GenerationException("out of memory generating " + request.width() + "×" + request.height()
                    + (request.batchSize() > 1 ? " × " + request.batchSize() + " images" : "") + " (" + e.getMessage()
                    + "); try a smaller size or batch, a float16 checkpoint, or allow more memory ("
                    + "bin/diffusionj: DIFFUSIONJ_OFFHEAP and DIFFUSIONJ_PHYSICAL; Fiji: -Dorg.bytedeco.javacpp.maxbytes and"
                    + " maxphysicalbytes, see README › Speed and memory)");
        }
    }

    private GenerationResult run(GenerationRequest asked, InitImage init, boolean tokenMaps, RunOptions options,
                                 ProgressListener progress, BooleanSupplier cancelled) {
        GenerationRequest request = asked.withModelDefaults(model.family().defaultGuidance, model.defaultImageSize());
        request.validate();
        ResidentMemory.resetPeak();
        if (init != null) {
            init.validate(request);
            if (request.hires().enabled()) {
                throw new GenerationException("the hires fix is for text-to-image; for a larger image-to-image result, upscale the image first");
            }
        }
        if (request.clipSkip() > model.maxClipSkip()) {
            throw new GenerationException("CLIP skip must be between 1 and " + model.maxClipSkip() + " for this model, got " + request.clipSkip());
        }
        long seed = request.seed() == -1 ? new SecureRandom().nextLong() & 0xFFFFFFFFL : request.seed();
        GenerationRequest r = request.withSeed(seed);
        int batch = r.batchSize();

        LoraTags loraTags = LoraTags.parse(r.prompt());
        List<LoraUse> loras = applyLoras(model, folders, loraTags, progress);
        String prompt = loraTags.text();
        String networks = loraHashes(loraTags.tags(), loras);

        progress.stage("encoding prompt");
        TextConditioning text = model.conditioning();
        Embeddings embeddings = text.embeddingsIn(folders.embeddings());
        Conditioning conditioning = new Conditioning(text, embeddings, prompt, r.negativePrompt(), r.steps(), r.clipSkip(), batch);
        networks += embeddingHashes(text.first(), embeddings, conditioning.texts());
        // Each model holds its weights' pages only during its phase (ResidentPages): the peak is the largest phase.
        text.releaseWeightPages();

        int scale = model.vae().downscale();
        long h = r.height() / scale;
        long w = r.width() / scale;
        Sampler sampler = sampler(r);
        NoiseSource noise = options.noise() != null ? options.noise() : new BatchNoise(seed, batch);
        INDArray start = options.initLatent() != null ? options.initLatent()
                : noise.gaussian(batch, model.unet().config().inChannels(), h, w);
        // With the hires fix the maps are the second pass's, at its size.
        GenerationRequest last = r.hires().enabled() ? r.hires().secondPass(r) : r;
        CrossAttentionSums attention = tokenMaps ? new CrossAttentionSums(model.unet().crossAttentionLayers(last.height() / scale,
                last.width() / scale, conditioning.keys()), guided(r) ? 2 : 1) : null;

        Start from = init == null ? new Start(start.mul(sampler.initNoiseSigma()), 0, null)
                : startFromImage(init, sampler, start, r.steps(), batch, progress);
        progress.stage("denoising");
        INDArray latent = denoise(sampler, from, conditioning, r, noise, last == r ? attention : null, options, progress, cancelled);
        if (last != r) {
            latent = hiresPass(r, last, latent, conditioning.forSteps(last.steps()), seed, attention, options, progress, cancelled);
        }
        model.unet().releaseWeightPages();

        progress.stage("decoding");
        INDArray decoded = finite(model.vae().decode(latent.div(model.vae().scalingFactor())), "the autoencoder's decoder (VAE decode)");
        model.vae().releaseWeightPages();
        if (init != null && init.inpainting()) {
            INDArray keep = init.mask().reshape(1, 1, r.height(), r.width());
            decoded = decoded.mul(keep).addi(init.pixels().mul(keep.rsub(1)));
        }
        PromptTokens tokens = attention == null ? null : PromptTokens.of(conditioning.finalPrompt(), model.tokenizer(), embeddings);
        GenerationResult result = result(r, tokens, networks + extraParameters(init), seed, latent, decoded, attention);
        model.recordPeak(new StableDiffusion.MeasuredPeak(last.width(), last.height(), batch, ResidentMemory.peakGiB()));
        return result;
    }

    /** Puts the prompt's {@code <lora:…>} tags in force (and takes earlier ones out): the LoRAs used, in tag order. */
    static List<LoraUse> applyLoras(StableDiffusion model, ExtraNetworkFolders folders, LoraTags tags, ProgressListener progress) {
        List<LoraUse> loras = tags.tags().stream().map(t -> new LoraUse(ExtraNetworkFolders.find("LoRA", t.name(), folders.loras()),
                t.textMultiplier(), t.unetMultiplier())).toList();
        if (!loras.isEmpty() || !model.lorasInForce().isEmpty()) {
            progress.stage(loras.isEmpty() ? "removing LoRAs" : "applying LoRAs");
            model.loras().apply(loras);
        }
        return loras;
    }

    /**
     * A stage's output, checked for NaN and infinity (one sum: both survive summation). Unchecked, they end as an
     * all-black picture and a successful exit; the web UIs stop with "A tensor with all NaNs was produced".
     */
    static INDArray finite(INDArray values, String stage) {
        if (!Double.isFinite(values.sumNumber().doubleValue())) {
            throw new GenerationException(stage + " produced NaN or infinite values: the checkpoint's weights are broken (a NaN"
                    + " or infinity in the file) or overflow at this precision; try another checkpoint or a float32 copy of this one");
        }
        return values;
    }

    private Sampler sampler(GenerationRequest r) {
        return Samplers.create(r.sampler(), r.schedule().isEmpty() ? model.schedule()
                : model.schedule().withSpacing(NoiseSchedule.Spacing.fromConfig(r.schedule())), r.steps());
    }

    /**
     * The hires fix's second pass: the first pass's latent upscaled (or its picture, upscaled and encoded again), noised
     * with fresh noise from the same seed (as the web UIs) to where the last {@link HiresFix#stepsRun} steps of the
     * stretched schedule begin, and denoised from there.
     */
    private INDArray hiresPass(GenerationRequest first, GenerationRequest second, INDArray small, Conditioning conditioning, long seed,
                               CrossAttentionSums attention, RunOptions options, ProgressListener progress, BooleanSupplier cancelled) {
        HiresFix hires = first.hires();
        int scale = model.vae().downscale();
        progress.stage("hires fix: upscaling to " + second.width() + "×" + second.height());
        INDArray upscaled;
        if (hires.inLatentSpace()) {
            upscaled = HiresUpscale.resize(small, second.height() / scale, second.width() / scale, hires.upscaler());
        } else {
            INDArray picture = finite(model.vae().decode(small.div(model.vae().scalingFactor())), "the autoencoder's decoder (VAE decode)");
            INDArray clamped = Transforms.min(Transforms.max(picture, -1.0, false), 1.0, false);
            INDArray large = HiresUpscale.resize(clamped, second.height(), second.width(), hires.upscaler());
            upscaled = finite(model.vae().encode(large), "the autoencoder's encoder (VAE encode)").muli(model.vae().scalingFactor());
        }
        Sampler sampler = sampler(second);
        NoiseSource noise = new BatchNoise(seed, second.batchSize());
        INDArray fresh = noise.gaussian(upscaled.shape());
        int call = sampler.firstCall(second.steps() - hires.stepsRun(first.steps()));
        progress.stage("hires fix: denoising");
        return denoise(sampler, new Start(sampler.noised(upscaled, fresh, call), call, null), conditioning, second, noise, attention, options,
                progress, cancelled);
    }

    /**
     * Where denoising begins: the latent, the first UNet call, and for inpainting what re-imposes the
     * original outside the mask after each call.
     */
    private record Start(INDArray latent, int call, Inpainting inpainting) {
    }

    /** The original's latent x₀, the fixed noise ε it is re-noised with, and the mask at latent size. */
    private record Inpainting(INDArray original, INDArray noise, INDArray mask) {
        INDArray apply(Sampler sampler, INDArray latent, int nextCall) {
            INDArray outside = sampler.noised(original, noise, nextCall);
            return latent.mul(mask).addi(outside.muli(mask.rsub(1)));
        }
    }

    private Start startFromImage(InitImage init, Sampler sampler, INDArray noise, int steps, int batch, ProgressListener progress) {
        progress.stage("encoding image");
        INDArray mean = finite(model.vae().encode(init.pixels()), "the autoencoder's encoder (VAE encode)");
        model.vae().releaseWeightPages();
        INDArray original = repeat(mean.muli(model.vae().scalingFactor()), batch);
        int call = sampler.firstCall(steps - init.stepsRun(steps));
        INDArray latent = sampler.noised(original, noise, call);
        Inpainting inpainting = init.inpainting() ? new Inpainting(original, noise, latentMask(init.mask())) : null;
        return new Start(latent, call, inpainting);
    }

    /** The pixel mask averaged over each autoencoder block: [1, 1, h, w]. */
    private INDArray latentMask(INDArray mask) {
        int f = model.vae().downscale();
        long h = mask.size(0) / f;
        long w = mask.size(1) / f;
        return mask.dup('c').reshape(h, f, w, f).mean(1, 3).reshape(1, 1, h, w);
    }

    /**
     * Classifier-free guidance only above scale 1, as diffusers: at ≤ 1 the prompt's prediction is used as it is and the
     * negative half is not run — half the work, as few-step models (Turbo, Lightning, LCM) are used.
     */
    private static boolean guided(GenerationRequest r) {
        return r.guidanceScale() > 1;
    }

    private INDArray denoise(Sampler sampler, Start from, Conditioning conditioning, GenerationRequest r, NoiseSource noise,
                             CrossAttentionSums attention, RunOptions options, ProgressListener progress, BooleanSupplier cancelled) {
        boolean guided = guided(r);
        double[] timesteps = sampler.timesteps();
        List<String> probes = attention == null ? List.of() : attention.probes();
        INDArray latent = from.latent();
        long batch = latent.size(0);
        int total = timesteps.length - from.call();
        long started = System.nanoTime();
        for (int i = from.call(); i < timesteps.length; i++) {
            if (cancelled.getAsBoolean()) {
                throw new CancelledException(i - from.call(), total);
            }
            INDArray input = sampler.scaleModelInput(latent, i);
            Conditioning.Call call = conditioning.at(i - from.call(), guided, r.sizes(), r.width(), r.height());
            Map<String, INDArray> out = model.unet().run(guided ? Nd4j.concat(0, input, input) : input, Nd4j.createFromArray(timesteps[i]),
                    call.context(), call.added(), probes);
            INDArray prediction = finite(out.get(UNet2DConditionModel.OUT),
                    String.format("the UNet at step %d/%d (timestep %.0f)", i + 1 - from.call(), total, timesteps[i]));
            latent = sampler.step(guided ? guide(prediction, batch, r.guidanceScale()) : prediction, i, latent, noise);
            if (from.inpainting() != null) {
                latent = from.inpainting().apply(sampler, latent, i + 1);
            }
            if (attention != null) {
                attention.add(out);
            }
            if (options.observer() != null) {
                options.observer().afterStep(i, latent);
            }
            progress.step(i + 1 - from.call(), total, (System.nanoTime() - started) / 1e9);
        }
        return latent;
    }

    /** ε_neg + g·(ε_prompt − ε_neg) from the batch [negative × batch, prompt × batch]. */
    static INDArray guide(INDArray both, long batch, double guidance) {
        INDArray unconditional = both.get(NDArrayIndex.interval(0, batch));
        INDArray conditional = both.get(NDArrayIndex.interval(batch, 2 * batch));
        return unconditional.add(conditional.sub(unconditional).muli(guidance));
    }

    /** @param tokens the final prompt's tokens (for the maps); @param extra the settings line's fields after the model's */
    private GenerationResult result(GenerationRequest r, PromptTokens tokens, String extra, long seed, INDArray latent, INDArray decoded,
                                    CrossAttentionSums attention) {
        INDArray levels = Images.toLevels(decoded);
        List<ArrayImg<ARGBType, IntArray>> images = new ArrayList<>();
        long[] seeds = new long[r.batchSize()];
        List<String> parameters = new ArrayList<>();
        List<TokenMaps> maps = new ArrayList<>();
        String hash = model.shortHash();
        for (int i = 0; i < r.batchSize(); i++) {
            seeds[i] = seed + i;
            images.add(Images.toArgb(levels, i));
            parameters.add(GenerationParameters.format(r, seeds[i], model.name(), hash) + extra);
            if (attention != null) {
                maps.add(TokenMaps.compute(attention, i, tokens, (int) latent.size(2), (int) latent.size(3), (int) decoded.size(2),
                        (int) decoded.size(3)));
            }
        }
        return new GenerationResult(r, images, seeds, parameters, latent, decoded, maps);
    }

    /** The web UI's {@code Lora hashes: "name: hash, …"} field (its short hash, {@link LoraFile#shortHash}), or "". */
    private static String loraHashes(List<LoraTags.Tag> tags, List<LoraUse> uses) {
        if (tags.isEmpty()) {
            return "";
        }
        List<String> hashes = new ArrayList<>();
        for (int i = 0; i < tags.size(); i++) {
            hashes.add(tags.get(i).name() + ": " + LoraFile.shortHash(uses.get(i).file()));
        }
        return ", Lora hashes: \"" + String.join(", ", hashes) + "\"";
    }

    /** The web UI's {@code TI hashes: "name: hash, …"} field for the embeddings the prompts use, or "". */
    private static String embeddingHashes(PromptEncoder prompts, Embeddings embeddings, List<String> texts) {
        java.util.LinkedHashMap<String, TextualInversion> used = new java.util.LinkedHashMap<>();
        for (String text : texts) {
            prompts.embeddingsUsed(text, embeddings).forEach(e -> used.putIfAbsent(e.name(), e));
        }
        if (used.isEmpty()) {
            return "";
        }
        return ", TI hashes: \"" + String.join(", ", used.values().stream().map(e -> e.name() + ": " + e.shortHash()).toList()) + "\"";
    }

    /** The web UIs' img2img fields, appended to the settings line. */
    private static String extraParameters(InitImage init) {
        if (init == null) {
            return "";
        }
        String s = ", Denoising strength: " + init.strength();
        return init.inpainting() ? s + ", Mask blur: " + init.maskBlur() : s;
    }

    /** [1, …] → [batch, …]. */
    private static INDArray repeat(INDArray embedding, int batch) {
        INDArray[] copies = new INDArray[batch];
        java.util.Arrays.fill(copies, embedding);
        return batch == 1 ? embedding : Nd4j.concat(0, copies);
    }
}
