package diffusionj.pipeline;

import diffusionj.attention.Bicubic;
import diffusionj.attention.CrossAttentionSums;
import diffusionj.attention.PromptTokens;
import diffusionj.attention.TokenMaps;
import diffusionj.io.ExtraNetworkFolders;
import diffusionj.lora.LoraTags;
import diffusionj.sampling.DdimSampler;
import diffusionj.sampling.NoiseSchedule;
import diffusionj.sampling.SeededNoise;
import diffusionj.text.Embeddings;
import diffusionj.text.TextConditioning;
import diffusionj.unet.UNet2DConditionModel;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Word maps of an image the model did not make: the image is encoded, noised to each of a few timesteps with
 * seeded noise, and denoised from there for a few deterministic steps (DDIM's update, as a generation with "ddim" makes them) while the cross-attention is summed
 * exactly as during a generation; DAAM's aggregation then gives one map per token and word. This is the
 * open-vocabulary segmentation that diffusion features give real images (the model only has to recognise what
 * the prompt names where it is, which it learned from tag–image pairs). The image is brought to the model's own
 * working area (aspect kept, sides in multiples of 8) and the maps are resized back to its exact size.
 */
public final class WordMapping {
    private final StableDiffusion model;
    private final ExtraNetworkFolders folders;

    public WordMapping(StableDiffusion model, ExtraNetworkFolders folders) {
        this.model = model;
        this.folders = folders;
    }

    /**
     * @param pixels the image, [1, 3, H, W] in [−1, 1], any size
     * @return maps at H × W
     */
    public TokenMaps map(INDArray pixels, WordMapSettings s, ProgressListener progress, BooleanSupplier cancelled) {
        s.validate(model.schedule().trainTimesteps());
        int height = (int) pixels.size(2);
        int width = (int) pixels.size(3);
        int[] work = workingSize(height, width, model.defaultImageSize());
        LoraTags loraTags = LoraTags.parse(s.prompt());
        Pipeline.applyLoras(model, folders, loraTags, progress);

        progress.stage("encoding prompt");
        TextConditioning text = model.conditioning();
        Embeddings embeddings = text.embeddingsIn(folders.embeddings());
        Conditioning conditioning = new Conditioning(text, embeddings, loraTags.text(), s.negativePrompt(), s.steps(), s.clipSkip(), 1);
        text.releaseWeightPages();

        progress.stage("encoding image");
        INDArray resized = Bicubic.resizePicture(pixels.reshape(3, height, width), work[0], work[1]).reshape(1, 3, work[0], work[1]);
        INDArray original = Pipeline.finite(model.vae().encode(resized), "the autoencoder's encoder (VAE encode)").muli(model.vae().scalingFactor());
        model.vae().releaseWeightPages();

        boolean guided = s.guidance() > 1;
        long h = original.size(2);
        long w = original.size(3);
        CrossAttentionSums attention = new CrossAttentionSums(model.unet().crossAttentionLayers(h, w, conditioning.keys()), guided ? 2 : 1);
        int total = s.draws() * s.timesteps().length * s.steps();
        int done = 0;
        long started = System.nanoTime();
        progress.stage("reading attention");
        for (int draw = 0; draw < s.draws(); draw++) {
            INDArray noise = new SeededNoise(s.seed() + draw).gaussian(original.shape());
            for (int t : s.timesteps()) {
                INDArray latent = model.schedule().noised(original, noise, t);
                for (int step = 0; step < s.steps(); step++) {
                    if (cancelled.getAsBoolean()) {
                        throw new CancelledException(done, total);
                    }
                    int now = stepTimestep(t, step, s.steps());
                    INDArray prediction = call(latent, now, conditioning, step, guided, s.guidance(), work, attention);
                    if (step + 1 < s.steps()) {
                        NoiseSchedule schedule = model.schedule();
                        latent = DdimSampler.update(schedule, prediction, latent, schedule.alphaCumprod(now),
                                schedule.alphaCumprod(stepTimestep(t, step + 1, s.steps())));
                    }
                    progress.step(++done, total, (System.nanoTime() - started) / 1e9);
                }
            }
        }
        model.unet().releaseWeightPages();
        PromptTokens tokens = PromptTokens.of(conditioning.finalPrompt(), model.tokenizer(), embeddings);
        return TokenMaps.compute(attention, 0, tokens, (int) h, (int) w, height, width);
    }

    /**
     * The size the model sees: the image scaled to the area of the model's own square size (its sides in proportion),
     * each side rounded to a multiple of 8 and kept within the sizes a generation allows.
     */
    public static int[] workingSize(int height, int width, int modelSize) {
        double scale = modelSize / Math.sqrt((double) height * width);
        return new int[]{side(height * scale), side(width * scale)};
    }

    private static int side(double pixels) {
        int rounded = (int) Math.round(pixels / 8) * 8;
        return Math.max(GenerationRequest.MIN_SIZE, Math.min(GenerationRequest.MAX_SIZE, rounded));
    }

    /** The k-th of {@code steps} timesteps from t towards 0, evenly spaced: t, t·(n−1)/n, … (img2img's schedule from t). */
    static int stepTimestep(int t, int k, int steps) {
        return (int) Math.round(t * (steps - k) / (double) steps);
    }

    /** One UNet call at timestep t, its attention added to the sums; returns the (guided) prediction. */
    private INDArray call(INDArray latent, int t, Conditioning conditioning, int step, boolean guided, double guidance, int[] size,
                          CrossAttentionSums attention) {
        Conditioning.Call c = conditioning.at(step, guided, diffusionj.unet.SizeConditioning.DEFAULT, size[1], size[0]);
        Map<String, INDArray> out = model.unet().run(guided ? Nd4j.concat(0, latent, latent) : latent, Nd4j.createFromArray((double) t),
                c.context(), c.added(), attention.probes());
        attention.add(out);
        INDArray prediction = Pipeline.finite(out.get(UNet2DConditionModel.OUT), "the UNet at timestep " + t);
        return guided ? Pipeline.guide(prediction, 1, guidance) : prediction;
    }
}
