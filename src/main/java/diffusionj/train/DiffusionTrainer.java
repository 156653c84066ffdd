package diffusionj.train;

import diffusionj.io.Component;
import diffusionj.io.Checkpoint;
import diffusionj.io.Checkpoints;
import diffusionj.nn.GraphRunner;
import diffusionj.nn.GraphWeights;
import diffusionj.nn.WeightStore;
import diffusionj.sampling.NoiseSchedule;
import diffusionj.text.ClipTextConfig;
import diffusionj.text.ClipTextEncoder;
import diffusionj.text.ClipTokenizer;
import diffusionj.text.PromptChunks;
import diffusionj.unet.UNet2DConditionModel;
import diffusionj.unet.UNetConfig;
import diffusionj.vae.ImageCodec;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Trains a text encoder and UNet together, from scratch, with the standard denoising objective: x_t =
 * √ᾱ_t·x₀ + √(1−ᾱ_t)·ε at a uniform random t, loss = mean (UNet(x_t, t, text) − target)², the target being
 * ε, v or the clean sample as the model's scheduler config says
 * ({@link diffusionj.sampling.Prediction#trainingTarget}). Both models are the engine's own SameDiff graphs,
 * built into one graph (token ids → text encoder → UNet → loss); the weights are the arrays of the two
 * {@link WeightStore}s, updated in place, so the engine's inference graphs built from the same stores always
 * run the current weights. A fraction of captions is replaced by the empty prompt, which teaches the
 * unconditional prediction classifier-free guidance and negative prompts need.
 */
final class DiffusionTrainer {
    static final String LOSS = "loss";
    private static final String TARGET = "target";
    private static final long ENCODE_CHUNK = 64;

    private final TrainingSettings settings;
    private final ClipTokenizer tokenizer;
    private final NoiseSchedule schedule;
    private final UNetConfig unetConfig;
    /** The training images in diffusion space, scaled, [images, channels, side, side]. */
    private final INDArray latents;
    private final List<String> captions;
    private final WeightStore textWeights;
    private final WeightStore unetWeights;
    private final SameDiff sd;
    private final TrainableWeights weights;

    /**
     * @param model    a model folder with configs and tokenizer (see {@link ModelRecipe}), and the autoencoder's weights
     *                 if it has one
     * @param initFrom null for random weights, or a model of the same configs whose weights training starts from
     */
    DiffusionTrainer(Path model, ImageCaptionFolder data, TrainingSettings settings, Path initFrom) {
        this.settings = settings;
        this.captions = data.captions();
        ClipTextConfig textConfig;
        // Only the configs and the vocabulary are read here: the weights are made, or read from initFrom.
        try (Checkpoint folder = Checkpoints.open(model, null)) {
            this.tokenizer = ClipTokenizer.load(folder.tokenizerDir());
            this.schedule = NoiseSchedule.fromConfig(folder.config(Component.SCHEDULER));
            this.latents = encode(data.images(), ImageCodec.load(folder));
            textConfig = ClipTextConfig.fromJson(folder.config(Component.TEXT_ENCODER));
            this.unetConfig = UNetConfig.fromJson(folder.config(Component.UNET));
        }
        Checkpoint init = initFrom == null ? null : Checkpoints.open(initFrom, null);
        try {
            this.textWeights = init == null ? WeightStore.random(settings.seed()) : new WeightStore(init.weights(Component.TEXT_ENCODER));
            this.unetWeights = init == null ? WeightStore.random(settings.seed() + 1) : new WeightStore(init.weights(Component.UNET));
            this.sd = buildGraph(textConfig);
        } finally {
            // Building the graph asked the stores for every weight; each load is a copy, so the file may close.
            if (init != null) {
                init.close();
            }
        }
        this.weights = new TrainableWeights(sd, settings, true);
    }

    /**
     * Every training image in diffusion space, once: a learned autoencoder's encoder then costs nothing per step, and
     * the autoencoder is frozen while the UNet trains, as in latent diffusion.
     */
    private static INDArray encode(INDArray images, ImageCodec codec) {
        List<INDArray> chunks = new ArrayList<>();
        for (long i = 0; i < images.size(0); i += ENCODE_CHUNK) {
            INDArray chunk = images.get(NDArrayIndex.interval(i, Math.min(i + ENCODE_CHUNK, images.size(0))));
            chunks.add(codec.encode(chunk).muli(codec.scalingFactor()));
        }
        return Nd4j.concat(0, chunks.toArray(INDArray[]::new));
    }

    /** Token ids → text encoder → UNet → squared error against the target, in one graph. */
    private SameDiff buildGraph(ClipTextConfig textConfig) {
        SameDiff sd = GraphRunner.newGraph();
        long side = latents.size(2);
        SDVariable ids = sd.placeHolder(ClipTextEncoder.INPUT_IDS, DataType.INT64, -1, ClipTokenizer.CONTEXT_LENGTH);
        SDVariable context = new ClipTextEncoder(textConfig, textWeights).lastHiddenState(new GraphWeights(sd, textWeights), ids);
        SDVariable x = sd.placeHolder(UNet2DConditionModel.SAMPLE, DataType.FLOAT, -1, unetConfig.inChannels(), side, side);
        SDVariable t = sd.placeHolder(UNet2DConditionModel.TIMESTEP, DataType.FLOAT, -1);
        SDVariable eps = new UNet2DConditionModel(unetConfig, unetWeights)
                .apply(new GraphWeights(sd, unetWeights), x, t, context, side, side, ClipTokenizer.CONTEXT_LENGTH, new ArrayList<>());
        SDVariable target = sd.placeHolder(TARGET, DataType.FLOAT, -1, unetConfig.outChannels(), side, side);
        sd.math().squaredDifference(eps, target).mean(LOSS);
        sd.setLossVariables(LOSS);
        return sd;
    }

    long parameterCount() {
        return weights.count();
    }

    /**
     * One optimisation step on a batch drawn by {@code step}'s own random stream, so a resumed run draws
     * exactly what the uninterrupted run would have. @return the batch's loss before the update
     */
    double step(long step) {
        SplittableRandom random = new SplittableRandom(settings.seed() * 1_000_003L + step);
        int batch = settings.batch();
        long[][] ids = new long[batch][];
        INDArray x0 = Nd4j.create(DataType.FLOAT, batch, latents.size(1), latents.size(2), latents.size(3));
        float[] timesteps = new float[batch];
        float[] signal = new float[batch];
        float[] noiseLevel = new float[batch];
        for (int i = 0; i < batch; i++) {
            int index = random.nextInt(captions.size());
            String caption = random.nextDouble() < settings.captionDropout() ? "" : captions.get(index);
            ids[i] = PromptChunks.of(caption, tokenizer).chunks().get(0).ids();
            x0.get(NDArrayIndex.point(i)).assign(latents.get(NDArrayIndex.point(index)));
            int t = random.nextInt(schedule.trainTimesteps());
            timesteps[i] = t;
            signal[i] = (float) Math.sqrt(schedule.alphaCumprod(t));
            noiseLevel[i] = (float) Math.sqrt(1 - schedule.alphaCumprod(t));
        }
        Nd4j.getRandom().setSeed(random.nextLong());
        INDArray noise = offsetNoise(x0.shape());
        INDArray noisy = x0.mul(perSample(signal)).addi(noise.mul(perSample(noiseLevel)));
        INDArray target = schedule.prediction().trainingTarget(x0, noise, perSample(signal), perSample(noiseLevel));

        Map<String, INDArray> placeholders = new HashMap<>();
        placeholders.put(ClipTextEncoder.INPUT_IDS, Nd4j.createFromArray(ids));
        placeholders.put(UNet2DConditionModel.SAMPLE, noisy);
        placeholders.put(UNet2DConditionModel.TIMESTEP, Nd4j.createFromArray(timesteps));
        placeholders.put(TARGET, target);
        var result = sd.calculateGradientsAndOutputs(placeholders, List.of(LOSS), weights.names());
        double loss = result.getOutputs().get(LOSS).getDouble(0);
        weights.update(result.getGradients(), settings.learningRate(step + 1), settings.clipNorm(), step + 1);
        // JavaCPP frees an array's native memory only once the garbage collector has found it unreachable.
        // Collecting here, while the step's few thousand intermediates are garbage, lets the next step reuse
        // their memory; without it every step faults in fresh pages (measured: 15 s instead of 3.4 s a step).
        System.gc();
        return loss;
    }

    /**
     * Gaussian noise plus one constant per sample and channel ("offset noise", Guttenberg 2023). Our pictures'
     * means are far from 0 (the light background), and a flat picture's mean shows through even a tiny √ᾱ: summed
     * over 12,288 values, √ᾱ = 0.02 is enough to read it. A model trained on plain noise learns to read the mean
     * from the sample instead of the caption and draws grey noise from the pure noise sampling starts with
     * (measured at step 500 of the first shifted-cosine run: x̂₀ about as good as the mean picture at t = 950,
     * 0.45 MSE at t = 999). The offset hides the mean wherever √ᾱ·|mean| is below its σ, about the noisiest
     * 30 % of the schedule, so there the caption must say what the picture's colours are.
     */
    private INDArray offsetNoise(long[] shape) {
        INDArray noise = Nd4j.randn(DataType.FLOAT, shape);
        if (settings.offsetNoise() > 0) {
            noise.addi(Nd4j.randn(DataType.FLOAT, shape[0], shape[1], 1, 1).muli(settings.offsetNoise()).broadcast(shape));
        }
        return noise;
    }

    private static INDArray perSample(float[] values) {
        return Nd4j.createFromArray(values).reshape(values.length, 1, 1, 1);
    }

    /** Runs {@code action} with the averaged weights in place of the trained ones. */
    void withAveragedWeights(Runnable action) {
        weights.withAveraged(action);
    }

    /** The weights in checkpoint layout and naming, per component. */
    Map<String, INDArray> textEncoderStateDict() {
        return textWeights.stateDict();
    }

    Map<String, INDArray> unetStateDict() {
        return unetWeights.stateDict();
    }

    /** Everything a resumed run needs (see {@link TrainableWeights#state}). */
    Map<String, INDArray> trainingState() {
        return weights.state();
    }

    void restore(Map<String, INDArray> state) {
        weights.restore(state);
    }
}
