package diffusionj.lora;

import com.google.gson.JsonObject;
import diffusionj.Fixtures;
import diffusionj.io.CheckpointException;
import diffusionj.io.Component;
import diffusionj.io.ExtraNetworkFolders;
import diffusionj.io.JsonFiles;
import diffusionj.io.Safetensors;
import diffusionj.io.SafetensorsWriter;
import diffusionj.pipeline.GenerationRequest;
import diffusionj.pipeline.GenerationResult;
import diffusionj.pipeline.Pipeline;
import diffusionj.pipeline.ProgressListener;
import diffusionj.pipeline.RunOptions;
import diffusionj.pipeline.StableDiffusion;
import diffusionj.sampling.ReplayedNoise;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static diffusionj.Parity.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** LoRA merging against sd1-tiny/lora's goldens (the web UI's rules), in every file layout, and switching back exactly. */
class LoraParityTest {
    private static final Path KOHYA = Fixtures.path("sd1-tiny", "lora/kohya.safetensors");
    private static final JsonObject MANIFEST = JsonFiles.readObject(Fixtures.path("sd1-tiny", "lora/manifest.json")).getAsJsonObject("lora");

    private static StableDiffusion load(String model) {
        return StableDiffusion.load(Fixtures.path("sd1-tiny", model), model.endsWith(".safetensors") ? Fixtures.path("sd1-tiny", "model/tokenizer") : null);
    }

    private static List<LoraUse> kohya(double multiplier) {
        return List.of(new LoraUse(KOHYA, multiplier, multiplier));
    }

    /** The merged weight now in force for a diffusers key. */
    private static INDArray inForce(StableDiffusion sd, Component c, String key, long[] shape) {
        return (c == Component.UNET ? sd.unet().weights() : sd.prompts().encoder().weights()).get(key, shape)
                .castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
    }

    @Test
    void mergedWeightsMatchTheWebUiForADiffusersFolderAndASingleFile() {
        for (String model : new String[]{"model", "model-ldm.safetensors"}) {
            try (StableDiffusion sd = load(model); Safetensors golden = Safetensors.open(Fixtures.path("sd1-tiny", "lora/golden/lora_merged_weights.safetensors"))) {
                sd.loras().apply(kohya(0.8));
                LoraTargets targets = targetsOf(sd);
                for (String name : golden.names()) {
                    LoraTargets.Target t = targets.find(name);
                    INDArray expected = golden.load(name);
                    assertClose(expected, inForce(sd, t.component(), t.key(), t.shape()).reshape(expected.shape()), 1e-4, model + " " + name);
                }
            }
        }
    }

    private static LoraTargets targetsOf(StableDiffusion sd) {
        try (diffusionj.io.Checkpoint c = diffusionj.io.Checkpoints.open(sd.path(), null)) {
            return new LoraTargets(c.weights(Component.UNET), sd.unet().config().layersPerBlock(), Map.of(Component.TEXT_ENCODER, c.weights(Component.TEXT_ENCODER)), c.family());
        }
    }

    @Test
    void textEncoderAndUNetOutputsMatchWithTheLoraAndExactlyWithoutIt(@TempDir Path dir) {
        try (StableDiffusion sd = load("model");
             Safetensors te = Safetensors.open(Fixtures.path("sd1-tiny", "lora/golden/lora_text_encoder.safetensors"));
             Safetensors un = Safetensors.open(Fixtures.path("sd1-tiny", "lora/golden/lora_unet.safetensors"))) {
            long[][] ids = ids(te.load("input_ids"));
            INDArray baseText = sd.prompts().encoder().conditioning(ids, 1);
            INDArray baseUnet = unet(sd, un);
            assertClose(te.load("last_hidden_state_base"), baseText, 1e-4, "text encoder without LoRA");
            assertClose(un.load("out_base"), baseUnet, 1e-4, "UNet without LoRA");
            sd.loras().apply(kohya(0.8));
            assertClose(te.load("last_hidden_state"), sd.prompts().encoder().conditioning(ids, 1), 1e-4, "text encoder with LoRA");
            assertClose(un.load("out"), unet(sd, un), 1e-4, "UNet with LoRA");
            // A hundred switches between two LoRAs, other multipliers and none (a part of the file: the same merging,
            // at a fraction of the cost) end exactly where they began.
            Path part = partOfKohya(dir, "lora_te_text_model_encoder_layers_0", "lora_unet_mid_block", "lora_unet_up_blocks_3_attentions_2");
            for (int i = 0; i < 100; i++) {
                sd.loras().apply(switch (i % 4) {
                    case 0 -> List.of(new LoraUse(part, 0.8, 0.8));
                    case 1 -> List.of(new LoraUse(part, 0.3 + i / 1000.0, 1.1), new LoraUse(KOHYA, 0.2, 0.2));
                    case 2 -> List.of();
                    default -> List.of(new LoraUse(part, -0.5, 0.7));
                });
                if (i % 25 == 0) {
                    unet(sd, un);
                }
            }
            sd.loras().apply(List.of());
            assertEquals(baseText, sd.prompts().encoder().conditioning(ids, 1), "text encoder after 100 switches");
            assertEquals(baseUnet, unet(sd, un), "UNet after 100 switches");
        }
    }

    /** The kohya file's modules whose names start with one of {@code prefixes}, as a LoRA file of their own. */
    private static Path partOfKohya(Path dir, String... prefixes) {
        Map<String, INDArray> part = new LinkedHashMap<>();
        try (Safetensors k = Safetensors.open(KOHYA)) {
            for (String key : k.names()) {
                if (java.util.Arrays.stream(prefixes).anyMatch(key::startsWith)) {
                    part.put(key, k.load(key));
                }
            }
        }
        Path file = dir.resolve("part.safetensors");
        SafetensorsWriter.float32().write(file, part);
        return file;
    }

    private static long[][] ids(INDArray inputIds) {
        return new long[][]{inputIds.toLongVector()};
    }

    private static INDArray unet(StableDiffusion sd, Safetensors g) {
        return sd.unet().predict(g.load("sample"), g.load("timestep"), g.load("encoder_hidden_states"));
    }

    @Test
    void generateWithTheTagInThePromptReproducesThePipelineGolden() {
        try (StableDiffusion sd = load("model");
             Safetensors g = Safetensors.open(Fixtures.path("sd1-tiny", "lora/golden/lora_pipeline_ddim.safetensors"))) {
            GenerationRequest request = new GenerationRequest(MANIFEST.get("prompt_as_written").getAsString(),
                    MANIFEST.get("negative_prompt").getAsString(), "ddim", 10, 7.5, 0, 64, 64, 1, 1);
            List<String> checked = new ArrayList<>();
            RunOptions options = new RunOptions(g.load("init_latent"), ReplayedNoise.from(g), (i, latent) -> {
                String key = String.format("step%02d.latent", i);
                assertClose(g.load(key), latent, 1e-3, key);
                checked.add(key);
            });
            ExtraNetworkFolders folders = new ExtraNetworkFolders(List.of(KOHYA.getParent()), List.of());
            GenerationResult result = new Pipeline(sd, folders).generate(request, false, options, ProgressListener.NONE, () -> false);
            assertEquals(10, checked.size());
            assertClose(g.load("image"), result.decoded(), 1e-3, "image");
            assertTrue(result.parameters().get(0).contains("Lora hashes: \"kohya: " + LoraFile.shortHash(KOHYA) + "\""), result.parameters().get(0));
        }
    }

    /** kohya's names in the original layout (the manifest's pairs) and PEFT's dotted names without alpha merge the same. */
    @Test
    void originalLayoutNamesAndPeftFilesMergeAsTheKohyaFile(@TempDir Path dir) {
        Map<String, INDArray> original = new LinkedHashMap<>();
        Map<String, INDArray> peft = new LinkedHashMap<>();
        JsonObject names = MANIFEST.getAsJsonObject("a1111_module_names");
        LoraTargets targets;
        try (StableDiffusion sd = load("model")) {
            targets = targetsOf(sd);
        }
        try (Safetensors k = Safetensors.open(KOHYA)) {
            for (String key : k.names()) {
                String module = key.substring(0, key.indexOf('.'));
                String rest = key.substring(module.length());
                String a1111 = names.get(module).getAsString();
                original.put(a1111.startsWith("diffusion_model_") ? "lora_unet_" + a1111.substring("diffusion_model_".length()) + rest
                        : "lora_te_" + a1111.substring("transformer_".length()) + rest, k.load(key));
                if (!rest.equals(".alpha")) {
                    // PEFT stores no alpha (= rank): the kohya file's alpha/rank goes into the up factor.
                    INDArray value = rest.contains("up") ? k.load(key).mul(0.5) : k.load(key);
                    peft.put(peftName(targets.find(module)) + (rest.contains("down") ? ".lora_A.weight" : ".lora_B.weight"), value);
                }
            }
        }
        Path originalFile = dir.resolve("original.safetensors");
        Path peftFile = dir.resolve("peft.safetensors");
        SafetensorsWriter.float32().write(originalFile, original);
        SafetensorsWriter.float32().write(peftFile, peft);
        try (StableDiffusion sd = load("model-ldm.safetensors"); Safetensors golden = Safetensors.open(Fixtures.path("sd1-tiny", "lora/golden/lora_merged_weights.safetensors"))) {
            for (Path file : new Path[]{originalFile, peftFile}) {
                sd.loras().apply(List.of(new LoraUse(file, 0.8, 0.8)));
                for (String name : golden.names()) {
                    LoraTargets.Target t = targets.find(name);
                    INDArray expected = golden.load(name);
                    assertClose(expected, inForce(sd, t.component(), t.key(), t.shape()).reshape(expected.shape()), 1e-4, file.getFileName() + " " + name);
                }
            }
        }
    }

    /** PEFT's dotted module path: {@code unet.down_blocks.0.attentions.0.proj_in}. */
    private static String peftName(LoraTargets.Target t) {
        String module = t.key().substring(0, t.key().length() - ".weight".length());
        return (t.component() == Component.UNET ? "unet." : "text_encoder.") + module;
    }

    @Test
    void separateTextEncoderAndUNetMultipliersApplyToTheirOwnModules() {
        try (StableDiffusion sd = load("model"); Safetensors te = Safetensors.open(Fixtures.path("sd1-tiny", "lora/golden/lora_text_encoder.safetensors"));
             Safetensors un = Safetensors.open(Fixtures.path("sd1-tiny", "lora/golden/lora_unet.safetensors"))) {
            sd.loras().apply(List.of(new LoraUse(KOHYA, 0, 0.8)));
            assertClose(te.load("last_hidden_state_base"), sd.prompts().encoder().conditioning(ids(te.load("input_ids")), 1), 1e-4, "te=0");
            assertClose(un.load("out"), unet(sd, un), 1e-4, "unet=0.8");
            // Two LoRAs add up: the same file twice at 0.4 is the file once at 0.8.
            sd.loras().apply(List.of(new LoraUse(KOHYA, 0.4, 0.4), new LoraUse(KOHYA, 0.4, 0.4)));
            assertClose(un.load("out"), unet(sd, un), 1e-4, "two LoRAs at 0.4");
        }
    }

    @Test
    void filesOfOtherKindsOrForOtherModelsAreRefusedNamingTheKey(@TempDir Path dir) {
        Path loha = dir.resolve("loha.safetensors");
        Map<String, INDArray> lohaTensors = new LinkedHashMap<>();
        lohaTensors.put("lora_unet_mid_block_attentions_0_proj_in.hada_w1_a", org.nd4j.linalg.factory.Nd4j.ones(4, 4));
        SafetensorsWriter.float32().write(loha, lohaTensors);
        Path other = dir.resolve("other.safetensors");
        Map<String, INDArray> otherTensors = new LinkedHashMap<>();
        otherTensors.put("lora_unet_down_blocks_7_attentions_0_proj_in.lora_down.weight", org.nd4j.linalg.factory.Nd4j.ones(4, 4));
        otherTensors.put("lora_unet_down_blocks_7_attentions_0_proj_in.lora_up.weight", org.nd4j.linalg.factory.Nd4j.ones(4, 4));
        SafetensorsWriter.float32().write(other, otherTensors);
        try (StableDiffusion sd = load("model")) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> sd.loras().apply(List.of(new LoraUse(loha, 1, 1))));
            assertTrue(e.getMessage().contains("LoHa") && e.getMessage().contains("hada_w1_a"), e.getMessage());
            e = assertThrows(CheckpointException.class, () -> sd.loras().apply(List.of(new LoraUse(other, 1, 1))));
            assertTrue(e.getMessage().contains("lora_unet_down_blocks_7_attentions_0_proj_in") && e.getMessage().contains("matches no layer"), e.getMessage());
            e = assertThrows(CheckpointException.class, () -> ExtraNetworkFolders.find("LoRA", "nosuch", List.of(dir)));
            assertTrue(e.getMessage().contains("nosuch") && e.getMessage().contains(dir.toString()), e.getMessage());
        }
    }

    /**
     * SD 2.x: a LoRA for its OpenCLIP text tower written with OpenCLIP's names (the web UI's
     * {@code convert_diffusers_name_to_compvis} for SD 2: {@code mlp_fc1} → {@code mlp_c_fc}, {@code mlp_fc2} →
     * {@code mlp_c_proj}, {@code self_attn} → {@code attn}, q/k/v as the parts of the fused {@code in_proj}) merges as
     * the same LoRA with kohya's Hugging Face names, into the single file's fused projection as into a diffusers folder.
     */
    @Test
    void openClipNamesOfAnSd2TextEncoderMergeAsKohyasNames(@TempDir Path dir) {
        String[][] modules = {{"self_attn_q_proj", "attn_q_proj"}, {"self_attn_v_proj", "attn_v_proj"}, {"self_attn_out_proj", "attn_out_proj"},
                {"mlp_fc1", "mlp_c_fc"}, {"mlp_fc2", "mlp_c_proj"}};
        Map<String, INDArray> kohya = new LinkedHashMap<>();
        Map<String, INDArray> openClip = new LinkedHashMap<>();
        org.nd4j.linalg.factory.Nd4j.getRandom().setSeed(3);
        try (StableDiffusion sd = StableDiffusion.load(Fixtures.path("sd2-tiny", "model"), null)) {
            LoraTargets targets = targetsOf(sd);
            for (String[] m : modules) {
                long[] shape = targets.find("lora_te_text_model_encoder_layers_0_" + m[0]).shape();
                INDArray down = org.nd4j.linalg.factory.Nd4j.randn(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, shape[1]);
                INDArray up = org.nd4j.linalg.factory.Nd4j.randn(org.nd4j.linalg.api.buffer.DataType.FLOAT, shape[0], 2);
                for (String[] named : new String[][]{{"lora_te_text_model_encoder_layers_0_" + m[0], "k"}, {"lora_te_model_transformer_resblocks_0_" + m[1], "o"}}) {
                    Map<String, INDArray> into = named[1].equals("k") ? kohya : openClip;
                    into.put(named[0] + ".lora_down.weight", down);
                    into.put(named[0] + ".lora_up.weight", up);
                    into.put(named[0] + ".alpha", org.nd4j.linalg.factory.Nd4j.scalar(1f));
                }
            }
        }
        Path kohyaFile = dir.resolve("kohya.safetensors");
        Path openClipFile = dir.resolve("openclip.safetensors");
        SafetensorsWriter.float32().write(kohyaFile, kohya);
        SafetensorsWriter.float32().write(openClipFile, openClip);
        for (String model : new String[]{"model", "model-ldm.safetensors"}) {
            try (StableDiffusion sd = StableDiffusion.load(Fixtures.path("sd2-tiny", model), model.endsWith(".safetensors") ? Fixtures.path("sd2-tiny", "model/tokenizer") : null)) {
                LoraTargets targets = targetsOf(sd);
                Map<String, INDArray> expected = new LinkedHashMap<>();
                for (String[] m : modules) {
                    LoraTargets.Target t = targets.find("lora_te_text_model_encoder_layers_0_" + m[0]);
                    String name = "lora_te_text_model_encoder_layers_0_" + m[0];
                    INDArray base = inForce(sd, t.component(), t.key(), t.shape()).dup();
                    expected.put(t.key(), base.add(kohya.get(name + ".lora_up.weight").mmul(kohya.get(name + ".lora_down.weight")).muli(0.5 * 0.7)));
                }
                for (Path file : new Path[]{kohyaFile, openClipFile}) {
                    sd.loras().apply(List.of(new LoraUse(file, 0.7, 0.7)));
                    for (String[] m : modules) {
                        LoraTargets.Target t = targets.find("lora_te_text_model_encoder_layers_0_" + m[0]);
                        assertClose(expected.get(t.key()), inForce(sd, t.component(), t.key(), t.shape()), 1e-5, model + " " + file.getFileName() + " " + t.key());
                    }
                    sd.loras().apply(List.of());
                }
            }
        }
    }
    /**
     * SDXL: kohya's names for both text towers ({@code lora_te1_}, {@code lora_te2_}) and the UNet in the original
     * layout; each merged weight is W + M·(alpha/rank)·up·down in the tower or UNet it names, and removing the LoRA
     * gives the checkpoint's weights back exactly. (The fixtures hold no SDXL LoRA: the expected weights are computed.)
     */
    @Test
    void sdxlLorasReachBothTextTowersAndTheUNet(@TempDir Path dir) {
        Map<String, long[]> modules = new LinkedHashMap<>();
        modules.put("lora_te1_text_model_encoder_layers_0_self_attn_q_proj", new long[]{12, 12});
        modules.put("lora_te2_text_model_encoder_layers_1_mlp_fc1", new long[]{64, 16});
        modules.put("lora_unet_input_blocks_4_1_transformer_blocks_0_attn2_to_k", new long[]{32, 28});
        modules.put("lora_unet_output_blocks_0_1_transformer_blocks_1_ff_net_2", new long[]{32, 128});
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        org.nd4j.linalg.factory.Nd4j.getRandom().setSeed(7);
        modules.forEach((name, shape) -> {
            tensors.put(name + ".lora_down.weight", org.nd4j.linalg.factory.Nd4j.randn(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, shape[1]));
            tensors.put(name + ".lora_up.weight", org.nd4j.linalg.factory.Nd4j.randn(org.nd4j.linalg.api.buffer.DataType.FLOAT, shape[0], 2));
            tensors.put(name + ".alpha", org.nd4j.linalg.factory.Nd4j.scalar(1f));
        });
        Path file = dir.resolve("sdxl_test.safetensors");
        SafetensorsWriter.float32().write(file, tensors);
        Map<String, String[]> expectedTarget = Map.of(
                "lora_te1_text_model_encoder_layers_0_self_attn_q_proj", new String[]{"TEXT_ENCODER", "text_model.encoder.layers.0.self_attn.q_proj.weight"},
                "lora_te2_text_model_encoder_layers_1_mlp_fc1", new String[]{"TEXT_ENCODER_2", "text_model.encoder.layers.1.mlp.fc1.weight"},
                "lora_unet_input_blocks_4_1_transformer_blocks_0_attn2_to_k",
                new String[]{"UNET", "down_blocks.1.attentions.0.transformer_blocks.0.attn2.to_k.weight"},
                "lora_unet_output_blocks_0_1_transformer_blocks_1_ff_net_2",
                new String[]{"UNET", "up_blocks.0.attentions.0.transformer_blocks.1.ff.net.2.weight"});
        try (StableDiffusion sd = StableDiffusion.load(Fixtures.path("sdxl-tiny", "model-ldm.safetensors"), null)) {
            Map<String, INDArray> before = new LinkedHashMap<>();
            modules.forEach((name, shape) -> before.put(name, sdxlInForce(sd, expectedTarget.get(name), shape).dup()));
            sd.loras().apply(List.of(new LoraUse(file, 0.6, 0.9)));
            modules.forEach((name, shape) -> {
                String[] target = expectedTarget.get(name);
                double multiplier = target[0].equals("UNET") ? 0.9 : 0.6;
                INDArray delta = tensors.get(name + ".lora_up.weight").mmul(tensors.get(name + ".lora_down.weight")).muli(multiplier * 0.5);
                assertClose(before.get(name).add(delta), sdxlInForce(sd, target, shape), 1e-5, name);
            });
            sd.loras().apply(List.of());
            modules.forEach((name, shape) -> assertEquals(before.get(name), sdxlInForce(sd, expectedTarget.get(name), shape), name + " removed"));
        }
    }

    private static INDArray sdxlInForce(StableDiffusion sd, String[] target, long[] shape) {
        diffusionj.nn.WeightStore store = switch (target[0]) {
            case "UNET" -> sd.unet().weights();
            case "TEXT_ENCODER" -> sd.conditioning().towers().get(0).encoder().weights();
            default -> sd.conditioning().towers().get(1).encoder().weights();
        };
        return store.get(target[1], shape).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
    }
}
