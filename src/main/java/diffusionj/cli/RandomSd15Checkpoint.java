package diffusionj.cli;

import diffusionj.io.LdmKeys;
import diffusionj.io.SafetensorsWriter;
import diffusionj.io.WeightSource.StoredAs;
import diffusionj.nn.WeightStore;
import diffusionj.text.BpeTrainer;
import diffusionj.text.ClipTextConfig;
import diffusionj.text.ClipTextEncoder;
import diffusionj.unet.UNet2DConditionModel;
import diffusionj.unet.UNetConfig;
import diffusionj.vae.AutoencoderKL;
import diffusionj.vae.VaeConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A single-file checkpoint in the original SD 1.5 layout and at its full size (UNet 860 M, CLIP ViT-L text
 * encoder 123 M, autoencoder 84 M parameters) with random weights, for {@code bench --e2e}: real weights cannot
 * be downloaded here. The tensors are the ones DiffusionJ's own models ask for, recorded while their graphs are
 * built, under the single-file names that {@link LdmKeys} maps back; the file is written one tensor at a time.
 * A tokenizer folder with a small byte-level vocabulary goes beside it (CLIP's own cannot be shipped).
 */
final class RandomSd15Checkpoint {
    static final UNetConfig UNET = BenchCommand.sd15UNet();
    static final ClipTextConfig TEXT = new ClipTextConfig(49408, 768, 3072, 12, 12, 77, "quick_gelu", 1e-5);
    static final VaeConfig VAE = new VaeConfig(3, 3, 4, new int[]{128, 256, 512, 512}, 2, 32, 0.18215);

    private static final String UNET_PREFIX = "model.diffusion_model.";
    private static final String VAE_PREFIX = "first_stage_model.";
    private static final String TEXT_PREFIX = "cond_stage_model.transformer.";

    private RandomSd15Checkpoint() {
    }

    /**
     * {@code FILE TOKENIZER_DIR fp16|fp32 sd15|sdxl}: run by {@code bench --e2e} in a process of its own, so that
     * making billions of random values leaves nothing in the memory figures of the generation it measures.
     */
    public static void main(String[] args) {
        diffusionj.nn.NativeBackend.configure();
        boolean half = args[2].equals("fp16");
        if (args.length > 3 && args[3].equals("sdxl")) {
            RandomSdxlCheckpoint.write(Path.of(args[0]), Path.of(args[1]), half, 1);
        } else {
            write(Path.of(args[0]), Path.of(args[1]), half, 1);
        }
    }

    /** Writes {@code file} (float16 or float32 weights) and a tokenizer folder {@code tokenizer}. */
    static void write(Path file, Path tokenizer, boolean half, long seed) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        Map<String, String> modelKey = new LinkedHashMap<>();
        addComponent(shapes, modelKey, LdmKeys.unet(unetKeys()), recorded(w -> new UNet2DConditionModel(UNET, w).crossAttentionLayers(8, 8, 77)));
        addComponent(shapes, modelKey, LdmKeys.vae(vaeKeys()), recorded(w -> new AutoencoderKL(VAE, w).build(8, 8)));
        Map<String, long[]> text = recorded(w -> new ClipTextEncoder(TEXT, w));
        List<String> textKeys = new ArrayList<>();
        text.keySet().forEach(k -> textKeys.add(TEXT_PREFIX + k));
        addComponent(shapes, modelKey, LdmKeys.clipTextEncoder(textKeys, "cond_stage_model.transformer."), text);
        writeRandom(file, tokenizer, half, seed, shapes, modelKey);
    }

    /**
     * Writes random tensors of {@code shapes} (file key → shape) one at a time, each initialised by its model key
     * (norm gains 1, biases 0, the rest scaled by fan-in), and a small tokenizer folder.
     */
    static void writeRandom(Path file, Path tokenizer, boolean half, long seed, Map<String, long[]> shapes, Map<String, String> modelKey) {
        WeightStore.Loader random = WeightStore.randomWeights(seed);
        (half ? SafetensorsWriter.float16() : SafetensorsWriter.float32()).writeStreamed(file, shapes,
                key -> random.load(modelKey.get(key), shapes.get(key)));
        BpeTrainer.write(BpeTrainer.learn(List.of("a photo of a cat", "a red circle"), 16), tokenizer);
    }

    /** The weights a model asks for while its graphs are built, by diffusers key, with their shapes. */
    static Map<String, long[]> recorded(Consumer<WeightStore> build) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        // One value seen through zero strides stands in for each weight: the graphs are only built, never run.
        INDArray one = Nd4j.zeros(DataType.FLOAT, 1);
        build.accept(WeightStore.inPlace((key, shape) -> {
            shapes.put(key, shape.clone());
            return Nd4j.create(one.data(), shape, new long[shape.length], 0, 'c', DataType.FLOAT);
        }));
        return shapes;
    }

    /**
     * Each file key the layout maps onto a recorded weight, with the file's shape: 1×1 convolutions keep [o, i, 1, 1],
     * fused q/k/v rows are stacked, a transposed matrix is stored [in, out].
     */
    static void addComponent(Map<String, long[]> out, Map<String, String> modelKey, Map<String, StoredAs> layout,
                             Map<String, long[]> recorded) {
        layout.forEach((key, stored) -> {
            long[] shape = recorded.get(key);
            if (shape != null) {
                long[] file = stored.pointwiseConv() && shape.length == 2 ? new long[]{shape[0], shape[1], 1, 1}
                        : stored.transposed() ? new long[]{shape[1], shape[0]} : shape.clone();
                file[0] *= stored.parts();
                out.put(stored.fileKey(), file);
                modelKey.put(stored.fileKey(), key);
            }
        });
        if (recorded.isEmpty() || recorded.keySet().stream().anyMatch(k -> !layout.containsKey(k))) {
            throw new IllegalStateException("the single-file layout has no name for "
                    + recorded.keySet().stream().filter(k -> !layout.containsKey(k)).findFirst().orElse("(nothing recorded)"));
        }
    }

    /** Single-file UNet names of SD 1.5 (2 layers per block; a down-sampler after blocks 0–2; attention but in the last down and first up block). */
    private static List<String> unetKeys() {
        List<String> names = new ArrayList<>();
        for (String top : List.of("time_embed.0", "time_embed.2", "input_blocks.0.0", "out.0", "out.2")) {
            names.add(top);
        }
        for (int n = 1; n <= 11; n++) {
            boolean sampler = n % 3 == 0;
            if (sampler) {
                names.add("input_blocks." + n + ".0.op");
            } else {
                resnet(names, "input_blocks." + n + ".0");
                if (n < 10) {
                    transformer(names, "input_blocks." + n + ".1");
                }
            }
        }
        resnet(names, "middle_block.0");
        transformer(names, "middle_block.1");
        resnet(names, "middle_block.2");
        for (int n = 0; n < 12; n++) {
            resnet(names, "output_blocks." + n + ".0");
            boolean attention = n >= 3;
            if (attention) {
                transformer(names, "output_blocks." + n + ".1");
            }
            if (n % 3 == 2 && n < 11) {
                names.add("output_blocks." + n + (attention ? ".2" : ".1") + ".conv");
            }
        }
        return withParameters(UNET_PREFIX, names);
    }

    private static void resnet(List<String> names, String prefix) {
        for (String part : List.of("in_layers.0", "in_layers.2", "emb_layers.1", "out_layers.0", "out_layers.3", "skip_connection")) {
            names.add(prefix + "." + part);
        }
    }

    private static void transformer(List<String> names, String prefix) {
        for (String part : List.of("norm", "proj_in", "proj_out")) {
            names.add(prefix + "." + part);
        }
        for (String part : List.of("attn1.to_q", "attn1.to_k", "attn1.to_v", "attn1.to_out.0", "ff.net.0.proj", "ff.net.2",
                "attn2.to_q", "attn2.to_k", "attn2.to_v", "attn2.to_out.0", "norm1", "norm2", "norm3")) {
            names.add(prefix + ".transformer_blocks.0." + part);
        }
    }

    /** Single-file autoencoder names: 4 levels, 2 resnets a level down and 3 up, the mid block's attention as 1×1 convolutions. */
    static List<String> vaeKeys() {
        List<String> names = new ArrayList<>(List.of("quant_conv", "post_quant_conv"));
        List<String> resnet = List.of("norm1", "conv1", "norm2", "conv2", "nin_shortcut");
        for (String coder : List.of("encoder", "decoder")) {
            for (String part : List.of("conv_in", "conv_out", "norm_out", "mid.attn_1.norm", "mid.attn_1.q", "mid.attn_1.k", "mid.attn_1.v",
                    "mid.attn_1.proj_out")) {
                names.add(coder + "." + part);
            }
            for (String block : List.of("mid.block_1", "mid.block_2")) {
                resnet.forEach(r -> names.add(coder + "." + block + "." + r));
            }
            boolean up = coder.equals("decoder");
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < (up ? 3 : 2); j++) {
                    String block = coder + (up ? ".up." : ".down.") + i + ".block." + j;
                    resnet.forEach(r -> names.add(block + "." + r));
                }
                if (up ? i > 0 : i < 3) {
                    names.add(coder + (up ? ".up." + i + ".upsample.conv" : ".down." + i + ".downsample.conv"));
                }
            }
        }
        return withParameters(VAE_PREFIX, names);
    }

    static List<String> withParameters(String prefix, List<String> modules) {
        List<String> keys = new ArrayList<>();
        for (String m : modules) {
            keys.add(prefix + m + ".weight");
            keys.add(prefix + m + ".bias");
        }
        return keys;
    }
}
