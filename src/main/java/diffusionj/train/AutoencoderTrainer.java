package diffusionj.train;

import diffusionj.nn.GraphRunner;
import diffusionj.nn.GraphWeights;
import diffusionj.nn.WeightStore;
import diffusionj.vae.AutoencoderKL;
import diffusionj.vae.VaeConfig;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Trains a small diffusers {@link AutoencoderKL} from random weights on the training images, as latent diffusion's
 * first stage: the encoder's posterior is sampled (z = μ + σ·ε), the decoder draws the image back from z, and the
 * loss is mean |d| + mean d² of the difference d = decoded − image, plus {@value #KL_WEIGHT}·KL(posterior ‖ N(0, I))
 * per latent value. The two reconstruction terms do different work on flat scenes: L1 keeps edges sharp (it does not
 * buy a smaller average error with a blurred edge; LDM's autoencoders train on it), but its gradient is the same for
 * every wrong pixel, so the background, nine tenths of the pixels, sets its pace; trained on L1 alone the
 * reconstructions were still grey shapes after 500 steps, with the squared error added they had their colours
 * (BENCHMARKS.md). The squared error weighs each pixel by how
 * wrong it is, and a wrong colour is the largest error there is. The KL term is small: it keeps the latents' scale
 * bounded and the decoder robust to small changes of z, which is what a diffusion model's imperfect samples need;
 * the latents' distribution itself is what the diffusion model learns.
 */
final class AutoencoderTrainer {
    static final double KL_WEIGHT = 1e-6;
    private static final String LOSS = "loss";
    private static final String NOISE = "posterior_noise";

    private final VaeConfig config;
    private final ImageCaptionFolder data;
    private final TrainingSettings settings;
    private final WeightStore store;
    private final SameDiff sd;
    private final TrainableWeights weights;

    AutoencoderTrainer(VaeConfig config, ImageCaptionFolder data, TrainingSettings settings) {
        this.config = config;
        this.data = data;
        this.settings = settings;
        this.store = WeightStore.random(settings.seed());
        this.sd = buildGraph();
        this.weights = new TrainableWeights(sd, settings, false);
    }

    /** Image → encoder → a sample of the posterior → decoder → loss, in one graph. */
    private SameDiff buildGraph() {
        SameDiff sd = GraphRunner.newGraph();
        GraphWeights w = new GraphWeights(sd, store);
        AutoencoderKL model = new AutoencoderKL(config, store);
        long side = cropSize();
        long latentSide = side / config.downscale();
        SDVariable image = sd.placeHolder(AutoencoderKL.IMAGE, DataType.FLOAT, -1, config.inChannels(), side, side);
        SDVariable[] moments = sd.split(model.encoder(w, image, side, side), 2, 1);
        SDVariable mean = moments[0];
        SDVariable logvar = sd.math.clipByValue(moments[1], -30.0, 20.0);
        SDVariable noise = sd.placeHolder(NOISE, DataType.FLOAT, -1, config.latentChannels(), latentSide, latentSide);
        SDVariable z = mean.add(sd.math.exp(logvar.mul(0.5)).mul(noise));
        SDVariable decoded = model.decoder(w, z, latentSide, latentSide);
        SDVariable difference = decoded.sub(image);
        SDVariable reconstruction = sd.math.abs(difference).mean().add(difference.mul(difference).mean());
        SDVariable kl = mean.mul(mean).add(sd.math.exp(logvar)).sub(1.0).sub(logvar).mean().mul(0.5);
        reconstruction.add(LOSS, kl.mul(KL_WEIGHT));
        sd.setLossVariables(LOSS);
        return sd;
    }

    /**
     * The side of the square crops trained on: half the image side, at a multiple of the latent's scale. The model
     * is convolutional (its one attention layer sees the whole crop's latent), so it learns from crops what it
     * would from whole images, and a step's activations, a few gigabytes at 64² and batch 32, are a quarter
     * (BENCHMARKS.md: on this machine class fresh memory, not arithmetic, set the whole-image step's time).
     */
    long cropSize() {
        long half = settings.size() / 2;
        return Math.max(config.downscale() * 4L, half - half % config.downscale());
    }

    long parameterCount() {
        return weights.count();
    }

    /**
     * One optimisation step on a batch drawn by {@code step}'s own random stream, so a resumed run draws exactly
     * what the uninterrupted run would have. @return the batch's loss before the update
     */
    double step(long step) {
        SplittableRandom random = new SplittableRandom(settings.seed() * 1_000_003L + step);
        int batch = settings.batch();
        long crop = cropSize();
        INDArray images = Nd4j.create(DataType.FLOAT, batch, config.inChannels(), crop, crop);
        for (int i = 0; i < batch; i++) {
            long x = config.downscale() * random.nextLong((settings.size() - crop) / config.downscale() + 1);
            long y = config.downscale() * random.nextLong((settings.size() - crop) / config.downscale() + 1);
            images.get(NDArrayIndex.point(i)).assign(data.images().get(NDArrayIndex.point(random.nextInt(data.size())), NDArrayIndex.all(),
                    NDArrayIndex.interval(y, y + crop), NDArrayIndex.interval(x, x + crop)));
        }
        Nd4j.getRandom().setSeed(random.nextLong());
        long latentSide = crop / config.downscale();
        INDArray noise = Nd4j.randn(DataType.FLOAT, batch, config.latentChannels(), latentSide, latentSide);
        var result = sd.calculateGradientsAndOutputs(Map.of(AutoencoderKL.IMAGE, images, NOISE, noise), List.of(LOSS), weights.names());
        double loss = result.getOutputs().get(LOSS).getDouble(0);
        weights.update(result.getGradients(), settings.learningRate(step + 1), settings.clipNorm(), step + 1);
        // As in DiffusionTrainer: let the next step reuse this step's intermediates' memory.
        System.gc();
        return loss;
    }

    /**
     * The trained weights in the diffusers layout and naming. No moving average is kept: at the diffusion model's
     * decay of 0.999 it would average over a thousand steps, most of a run this short; LDM's autoencoders keep none.
     */
    Map<String, INDArray> stateDict() {
        return store.stateDict();
    }

    Map<String, INDArray> trainingState() {
        return weights.state();
    }

    void restore(Map<String, INDArray> state) {
        weights.restore(state);
    }
}
