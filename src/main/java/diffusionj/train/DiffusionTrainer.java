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
import diffusionj.vae.PixelUnshuffle;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
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

    private final TrainingSettings settings;
    private final ClipTokenizer tokenizer;
    private final NoiseSchedule schedule;
    private final ImageCodec codec;
    private final UNetConfig unetConfig;
    private final WeightStore textWeights;
    private final WeightStore unetWeights;
    private final SameDiff sd;
    private final List<String> trainable;
    private final AdamW optimizer;
    private final ExponentialMovingAverage ema;

    /**
     * @param model    a model folder with configs and tokenizer (see {@link ModelRecipe})
     * @param initFrom null for random weights, or a model of the same configs whose weights training starts from
     */
    DiffusionTrainer(Path model, TrainingSettings settings, Path initFrom) {
        this.settings = settings;
        ClipTextConfig textConfig;
        // Only the configs and the vocabulary are read here: the weights are made, or read from initFrom.
        try (Checkpoint folder = Checkpoints.open(model, null)) {
            this.tokenizer = ClipTokenizer.load(folder.tokenizerDir());
            this.schedule = NoiseSchedule.fromConfig(folder.config(Component.SCHEDULER));
            this.codec = PixelUnshuffle.fromJson(folder.config(Component.VAE));
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
        this.trainable = sd.variables().stream().filter(v -> v.getVariableType() == VariableType.VARIABLE).map(SDVariable::name).sorted().toList();
        this.optimizer = new AdamW(settings.weightDecay());
        this.ema = new ExponentialMovingAverage(settings.emaDecay());
    }

    /** Token ids → text encoder → UNet → squared error against the target, in one graph. */
    private SameDiff buildGraph(ClipTextConfig textConfig) {
        SameDiff sd = GraphRunner.newGraph();
        long side = settings.size() / codec.downscale();
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

    /** The trainable tensors as the graph holds them (some permuted or reshaped for speed), by variable name. */
    Map<String, INDArray> parameters() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (String name : trainable) {
            out.put(name, sd.getVariable(name).getArr());
        }
        return out;
    }

    long parameterCount() {
        return parameters().values().stream().mapToLong(INDArray::length).sum();
    }

    /**
     * One optimisation step on a batch drawn by {@code step}'s own random stream, so a resumed run draws
     * exactly what the uninterrupted run would have. @return the batch's loss before the update
     */
    double step(ImageCaptionFolder data, long step) {
        SplittableRandom random = new SplittableRandom(settings.seed() * 1_000_003L + step);
        int batch = settings.batch();
        long[][] ids = new long[batch][];
        INDArray pixels = Nd4j.create(DataType.FLOAT, batch, 3, settings.size(), settings.size());
        float[] timesteps = new float[batch];
        float[] signal = new float[batch];
        float[] noiseLevel = new float[batch];
        for (int i = 0; i < batch; i++) {
            int index = random.nextInt(data.size());
            String caption = random.nextDouble() < settings.captionDropout() ? "" : data.captions().get(index);
            ids[i] = PromptChunks.of(caption, tokenizer).chunks().get(0).ids();
            pixels.get(NDArrayIndex.point(i)).assign(data.images().get(NDArrayIndex.point(index)));
            int t = random.nextInt(schedule.trainTimesteps());
            timesteps[i] = t;
            signal[i] = (float) Math.sqrt(schedule.alphaCumprod(t));
            noiseLevel[i] = (float) Math.sqrt(1 - schedule.alphaCumprod(t));
        }
        INDArray x0 = codec.encode(pixels).muli(codec.scalingFactor());
        Nd4j.getRandom().setSeed(random.nextLong());
        INDArray noise = offsetNoise(x0.shape());
        INDArray noisy = x0.mul(perSample(signal)).addi(noise.mul(perSample(noiseLevel)));
        INDArray target = schedule.prediction().trainingTarget(x0, noise, perSample(signal), perSample(noiseLevel));

        Map<String, INDArray> placeholders = new HashMap<>();
        placeholders.put(ClipTextEncoder.INPUT_IDS, Nd4j.createFromArray(ids));
        placeholders.put(UNet2DConditionModel.SAMPLE, noisy);
        placeholders.put(UNet2DConditionModel.TIMESTEP, Nd4j.createFromArray(timesteps));
        placeholders.put(TARGET, target);
        var result = sd.calculateGradientsAndOutputs(placeholders, List.of(LOSS), trainable);
        double loss = result.getOutputs().get(LOSS).getDouble(0);
        apply(result.getGradients(), step + 1);
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

    /** Global-norm clipping, then AdamW on every tensor, then the moving average. */
    private void apply(Map<String, INDArray> grads, long step) {
        double squares = 0;
        for (INDArray g : grads.values()) {
            double n = g.norm2Number().doubleValue();
            squares += n * n;
        }
        double clip = Math.min(1, settings.clipNorm() / (Math.sqrt(squares) + 1e-6));
        double lr = settings.learningRate(step);
        Map<String, INDArray> params = parameters();
        params.forEach((name, p) -> optimizer.update(name, p, clip < 1 ? grads.get(name).mul(clip) : grads.get(name), lr, step));
        ema.update(params, step);
    }

    /**
     * Runs {@code action} with the averaged weights in place of the trained ones (the inference graphs share
     * the arrays), then puts the trained weights back.
     */
    void withAveragedWeights(Runnable action) {
        Map<String, INDArray> params = parameters();
        Map<String, INDArray> saved = new HashMap<>();
        params.forEach((name, p) -> {
            saved.put(name, p.dup());
            INDArray average = ema.weights().get(name);
            if (average != null) {
                p.assign(average);
            }
        });
        try {
            action.run();
        } finally {
            params.forEach((name, p) -> p.assign(saved.get(name)));
        }
    }

    /** The weights in checkpoint layout and naming, per component. */
    Map<String, INDArray> textEncoderStateDict() {
        return textWeights.stateDict();
    }

    Map<String, INDArray> unetStateDict() {
        return unetWeights.stateDict();
    }

    /** Everything a resumed run needs, keyed "param/", "ema/", "m/", "v/" + variable name. */
    Map<String, INDArray> trainingState() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        parameters().forEach((name, p) -> out.put("param/" + name, p));
        ema.weights().forEach((name, p) -> out.put("ema/" + name, p));
        out.putAll(optimizer.state());
        return out;
    }

    void restore(Map<String, INDArray> state) {
        parameters().forEach((name, p) -> {
            INDArray saved = state.get("param/" + name);
            if (saved == null || !java.util.Arrays.equals(saved.shape(), p.shape())) {
                throw new diffusionj.io.CheckpointException("the training checkpoint does not match the model: "
                        + "param/" + name + (saved == null ? " is missing" : " has shape " + java.util.Arrays.toString(saved.shape())
                        + ", expected " + java.util.Arrays.toString(p.shape())));
            }
            p.assign(saved);
            ema.restore(name, state.get("ema/" + name).dup());
            optimizer.restore(name, state.get("m/" + name).dup(), state.get("v/" + name).dup());
        });
    }
}
