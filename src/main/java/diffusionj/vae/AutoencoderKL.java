package diffusionj.vae;

import diffusionj.io.Checkpoint;
import diffusionj.io.Component;
import diffusionj.io.JsonFiles;
import diffusionj.io.Safetensors;
import diffusionj.io.WeightSource;
import diffusionj.nn.Activations;
import diffusionj.nn.ChannelsLast;
import diffusionj.nn.Conv2d;
import diffusionj.nn.GraphRunner;
import diffusionj.nn.GraphWeights;
import diffusionj.nn.GroupNorm;
import diffusionj.nn.NearestUpsample;
import diffusionj.nn.WeightStore;
import diffusionj.unet.ResnetBlock2D;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.PadMode;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * diffusers' AutoencoderKL: the decoder maps a latent [batch, 4, h, w] to an image [batch, 3, 8h, 8w] in
 * [−1, 1] (roughly); the encoder maps an image to the posterior's mean and log-variance. No scaling is
 * applied here: the pipeline divides latents by {@link VaeConfig#scalingFactor()} before decoding.
 * Graphs are built per spatial size and share one copy of the weights. Inputs and outputs are NCHW; inside, the
 * activations are channels last ({@link ChannelsLast}).
 */
public final class AutoencoderKL implements ImageCodec {
    public static final String LATENT = "latent";
    public static final String IMAGE = "image";
    public static final String DECODED = "decoded";
    public static final String MEAN = "posterior_mean";
    public static final String LOGVAR = "posterior_logvar";
    /** The files of a diffusers {@code vae} folder. */
    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = "diffusion_pytorch_model.safetensors";

    private static final double EPS = 1e-6;

    private final VaeConfig config;
    private final WeightStore weights;
    private final Map<String, SameDiff> graphs = new HashMap<>();

    /**
     * Latents larger than this (in latent pixels, 512 image pixels) on either side are decoded in tiles of this
     * size, and images larger than 512² encoded in tiles of 512² ({@link OverlappingTiles}). Measured with an SD 1.5
     * VAE (bench --e2e): a whole 512² decode takes 2.0 GiB at its peak, below the UNet's 2.7 GiB, and 35 s, against
     * 56 s for four 320² tiles (1.56 times the arithmetic); so 512² is decoded whole, and larger images at its memory.
     */
    static final long TILE = 64;
    static final long TILE_OVERLAP = 16;

    public AutoencoderKL(VaeConfig config, WeightStore weights) {
        this.config = config;
        this.weights = weights;
    }

    public static AutoencoderKL load(Checkpoint checkpoint) {
        return new AutoencoderKL(VaeConfig.fromJson(checkpoint.config(Component.VAE)), WeightStore.inPlace(checkpoint.weights(Component.VAE)));
    }

    /**
     * The autoencoder of a diffusers {@code vae} folder ({@code config.json} and
     * {@code diffusion_pytorch_model.safetensors}), its weights copied from the open {@code weights} file as graphs are built.
     */
    public static AutoencoderKL fromFolder(Path folder, Safetensors weights) {
        return new AutoencoderKL(VaeConfig.fromJson(JsonFiles.readObject(folder.resolve(CONFIG))),
                new WeightStore(WeightSource.identity(weights, "vae")));
    }

    /** {@code dir/vae} when {@code dir} has one (a {@code train-autoencoder} run), else {@code dir} itself. */
    public static Path folderIn(Path dir) {
        return Files.isRegularFile(dir.resolve("vae").resolve(CONFIG)) ? dir.resolve("vae") : dir;
    }

    public VaeConfig config() {
        return config;
    }

    @Override
    public int downscale() {
        return config.downscale();
    }

    @Override
    public double scalingFactor() {
        return config.scalingFactor();
    }

    @Override
    public void releaseWeightPages() {
        weights.releasePages();
    }

    /** The posterior mean; images larger than the tiles' 512² are encoded tile by tile ({@link OverlappingTiles}). */
    @Override
    public INDArray encode(INDArray image) {
        long tile = TILE * downscale();
        if (image.size(2) <= tile && image.size(3) <= tile) {
            return encodeWhole(image);
        }
        return OverlappingTiles.apply(image, tile, TILE_OVERLAP * downscale(), 1, downscale(), this::encodeWhole);
    }

    INDArray encodeWhole(INDArray image) {
        return encodePosterior(image).get(MEAN);
    }

    /** @param latent [batch, latentChannels, h, w], unscaled; returns [batch, 3, h·8, w·8] */
    @Override
    public INDArray decode(INDArray latent) {
        if (latent.size(2) <= TILE && latent.size(3) <= TILE) {
            return decodeWhole(latent);
        }
        return OverlappingTiles.apply(latent, TILE, TILE_OVERLAP, downscale(), 1, this::decodeWhole);
    }

    INDArray decodeWhole(INDArray latent) {
        SameDiff sd = graph("decode", latent.size(2), latent.size(3));
        return GraphRunner.output(sd, Map.of(LATENT, latent.castTo(DataType.FLOAT)), DECODED).get(DECODED);
    }

    /** @param image [batch, 3, H, W] in [−1, 1]; returns {@link #MEAN} and {@link #LOGVAR}, [batch, 4, H/8, W/8] */
    public Map<String, INDArray> encodePosterior(INDArray image) {
        SameDiff sd = graph("encode", image.size(2), image.size(3));
        return GraphRunner.output(sd, Map.of(IMAGE, image.castTo(DataType.FLOAT)), MEAN, LOGVAR);
    }

    /** Builds the decoder's graph for latents of this size and the encoder's for the matching images, ahead of use. */
    @Override
    public void build(long latentHeight, long latentWidth) {
        // A side up to TILE is run whole; a longer one in tiles of TILE.
        long h = Math.min(latentHeight, TILE);
        long w = Math.min(latentWidth, TILE);
        graph("decode", h, w);
        graph("encode", h * downscale(), w * downscale());
    }

    private synchronized SameDiff graph(String kind, long height, long width) {
        return graphs.computeIfAbsent(kind + height + "x" + width,
                k -> kind.equals("decode") ? buildDecoder(height, width) : buildEncoder(height, width));
    }

    private SameDiff buildDecoder(long height, long width) {
        SameDiff sd = GraphRunner.newGraph();
        SDVariable z = sd.placeHolder(LATENT, DataType.FLOAT, -1, config.latentChannels(), height, width);
        sd.identity(DECODED, decoder(new GraphWeights(sd, weights), z, height, width));
        return sd;
    }

    private SameDiff buildEncoder(long height, long width) {
        SameDiff sd = GraphRunner.newGraph();
        SDVariable x = sd.placeHolder(IMAGE, DataType.FLOAT, -1, config.inChannels(), height, width);
        SDVariable[] moments = sd.split(encoder(new GraphWeights(sd, weights), x, height, width), 2, 1);
        sd.identity(MEAN, moments[0]);
        sd.math.clipByValue(LOGVAR, moments[1], -30.0, 20.0);
        return sd;
    }

    /**
     * post_quant_conv and the decoder, in graph {@code w}: latent [batch, latentChannels, h, w], unscaled → image
     * [batch, 3, h·downscale, w·downscale]. Public for training graphs that put encoder and decoder in one graph.
     */
    public SDVariable decoder(GraphWeights w, SDVariable latent, long height, long width) {
        SameDiff sd = w.graph();
        int[] ch = config.blockOutChannels();
        int top = ch[ch.length - 1];
        int latentChannels = config.latentChannels();
        SDVariable z = Conv2d.pointwise(w, "post_quant_conv", ChannelsLast.fromNchw(latent), latentChannels, latentChannels, height, width);
        SDVariable h = Conv2d.same3x3(w, "decoder.conv_in", z, latentChannels, top, height, width);
        h = midBlock(w, "decoder.mid_block", h, top, height, width);
        long prev = top;
        for (int i = 0; i < ch.length; i++) {
            String block = "decoder.up_blocks." + i;
            long out = ch[ch.length - 1 - i];
            for (int j = 0; j <= config.layersPerBlock(); j++) {
                h = resnet(w, block + ".resnets." + j, h, j == 0 ? prev : out, out, height, width);
            }
            if (i < ch.length - 1) {
                h = NearestUpsample.apply(sd, h, out, height, width, height * 2, width * 2);
                height *= 2;
                width *= 2;
                h = Conv2d.same3x3(w, block + ".upsamplers.0.conv", h, out, out, height, width);
            }
            prev = out;
        }
        return ChannelsLast.toNchw(head(w, "decoder", h, ch[0], config.outChannels(), height, width));
    }

    /**
     * The encoder and quant_conv, in graph {@code w}: image [batch, 3, H, W] → the posterior's moments
     * [batch, 2·latentChannels, H/downscale, W/downscale], the mean's channels first, the log-variance unclipped.
     */
    public SDVariable encoder(GraphWeights w, SDVariable image, long height, long width) {
        SameDiff sd = w.graph();
        int[] ch = config.blockOutChannels();
        SDVariable h = Conv2d.same3x3(w, "encoder.conv_in", ChannelsLast.fromNchw(image), config.inChannels(), ch[0], height, width);
        long prev = ch[0];
        for (int i = 0; i < ch.length; i++) {
            String block = "encoder.down_blocks." + i;
            for (int j = 0; j < config.layersPerBlock(); j++) {
                h = resnet(w, block + ".resnets." + j, h, j == 0 ? prev : ch[i], ch[i], height, width);
            }
            if (i < ch.length - 1) {
                // The LDM encoder pads only right and bottom before its stride-2 convolution.
                SDVariable padding = sd.constant(Nd4j.createFromArray(new int[][]{{0, 0}, {0, 1}, {0, 1}, {0, 0}}));
                h = Conv2d.apply(w, block + ".downsamplers.0.conv", sd.nn.pad(h, padding, PadMode.CONSTANT, 0), ch[i], ch[i], 3, 2, 0,
                        height + 1, width + 1);
                height = (height - 2) / 2 + 1;
                width = (width - 2) / 2 + 1;
            }
            prev = ch[i];
        }
        int top = ch[ch.length - 1];
        h = midBlock(w, "encoder.mid_block", h, top, height, width);
        int latentChannels = config.latentChannels();
        h = head(w, "encoder", h, top, 2L * latentChannels, height, width);
        return ChannelsLast.toNchw(Conv2d.pointwise(w, "quant_conv", h, 2L * latentChannels, 2L * latentChannels, height, width));
    }

    private SDVariable midBlock(GraphWeights w, String prefix, SDVariable h, long channels, long height, long width) {
        h = resnet(w, prefix + ".resnets.0", h, channels, channels, height, width);
        h = SpatialSelfAttention.apply(w, prefix + ".attentions.0", h, channels, height, width, config.normGroups());
        return resnet(w, prefix + ".resnets.1", h, channels, channels, height, width);
    }

    /** conv_norm_out → SiLU → conv_out. */
    private SDVariable head(GraphWeights w, String coder, SDVariable h, long in, long out, long height, long width) {
        h = GroupNorm.apply(w, coder + ".conv_norm_out", h, in, height, width, config.normGroups(), EPS);
        return Conv2d.same3x3(w, coder + ".conv_out", Activations.silu(w.graph(), h), in, out, height, width);
    }

    private SDVariable resnet(GraphWeights w, String prefix, SDVariable h, long in, long out, long height, long width) {
        return ResnetBlock2D.apply(w, prefix, h, null, 0, in, out, height, width, config.normGroups(), EPS);
    }
}
