package diffusionj.io;

import diffusionj.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointsTest {
    @TempDir
    Path dir;

    @Test
    void familiesAreDetectedFromEveryFileForm() {
        for (String form : new String[]{"model", "model-ldm.safetensors", "model-ldm-fp16.safetensors"}) {
            try (Checkpoint sd1 = Checkpoints.open(Fixtures.path("sd1-tiny", form), null);
                 Checkpoint sd2 = Checkpoints.open(Fixtures.path("sd2-tiny", form), null)) {
                assertEquals(ModelFamily.SD1, sd1.family(), form);
                assertEquals(ModelFamily.SD2, sd2.family(), form);
            }
        }
    }

    @Test
    void singleFileFindsTheTokenizerOfTheDiffusersFolderBesideIt() {
        try (Checkpoint c = Checkpoints.open(Fixtures.path("sd1-tiny", "model-ldm.safetensors"), null)) {
            assertEquals(Fixtures.path("sd1-tiny", "model/tokenizer"), c.tokenizerDir());
        }
    }

    @Test
    void openClipFusedProjectionsSplitIntoQueryKeyValue() {
        try (Checkpoint file = Checkpoints.open(Fixtures.path("sd2-tiny", "model-ldm.safetensors"), null);
             Safetensors raw = Safetensors.open(Fixtures.path("sd2-tiny", "model-ldm.safetensors"))) {
            WeightSource w = file.weights(Component.TEXT_ENCODER);
            INDArray fused = raw.load("cond_stage_model.model.transformer.resblocks.1.attn.in_proj_weight");
            INDArray k = w.load("text_model.encoder.layers.1.self_attn.k_proj.weight", 32, 32);
            assertEquals(fused.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(32, 64)), k);
            assertTrue(w.contains("text_model.encoder.layers.4.mlp.fc2.bias"));
            assertTrue(!w.contains("text_model.encoder.layers.5.mlp.fc2.bias"), "SD 2 leaves out the last OpenCLIP block");
            assertEquals(5, file.config(Component.TEXT_ENCODER).get("num_hidden_layers").getAsInt());
            assertEquals("gelu", file.config(Component.TEXT_ENCODER).get("hidden_act").getAsString());
        }
    }

    /** LoRAs name layers in either layout: the inverse mapping gives back every UNet weight's original key. */
    @Test
    void everyDiffusersUNetNameMapsBackToItsOriginalKey() {
        for (String set : new String[]{"sd1-tiny", "sd2-tiny"}) {
            try (Safetensors raw = Safetensors.open(Fixtures.path(set, "model-ldm.safetensors"))) {
                Map<String, WeightSource.StoredAs> unet = LdmKeys.unet(raw.names());
                int layers = LdmKeys.unetLayersPerBlock(raw.names());
                unet.forEach((diffusers, stored) -> assertEquals(stored.fileKey(), LdmKeys.UNET_PREFIX + LdmKeys.ldmUnetName(diffusers, layers,
                        block -> unet.containsKey("up_blocks." + block + ".attentions.0.proj_in.weight") ? 2 : 1), set + " " + diffusers));
            }
        }
    }

    @Test
    void wrongShapeNamesKeyExpectedAndFound() {
        try (Checkpoint c = Checkpoints.open(Fixtures.path("sd1-tiny", "model"), null)) {
            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> c.weights(Component.TEXT_ENCODER).load("text_model.final_layer_norm.weight", 64));
            assertTrue(e.getMessage().contains("text_model.final_layer_norm.weight")
                    && e.getMessage().contains("[64]") && e.getMessage().contains("[32]"), e.getMessage());
        }
    }

    @Test
    void singleFileWithoutTokenizerSaysWhereToPutOne() throws IOException {
        Path lonely = dir.resolve("lonely.safetensors");
        Files.copy(Fixtures.path("sd1-tiny", "model-ldm-fp16.safetensors"), lonely);
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.open(lonely, null));
        assertTrue(e.getMessage().contains("No CLIP tokenizer found") && e.getMessage().contains("--tokenizer"), e.getMessage());

        try (Checkpoint c = Checkpoints.open(lonely, Fixtures.path("sd1-tiny", "model/tokenizer"))) {
            assertEquals(ModelFamily.SD1, c.family());
        }
    }

    @Test
    void fileWithoutATextTowerIsNotAStableDiffusionCheckpoint() {
        Path lora = dir.resolve("lora.safetensors");
        SafetensorsWriter.float32().write(lora, Map.of("lora_unet_down.alpha", org.nd4j.linalg.factory.Nd4j.scalar(1f)));
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.open(lora, null));
        assertTrue(e.getMessage().contains("not a Stable Diffusion checkpoint"), e.getMessage());
    }

    /** Families and variants that cannot run yet are named from what was detected, before any graph is built. */
    @Test
    void unsupportedFamiliesAndVariantsAreNamed() {
        org.nd4j.linalg.api.ndarray.INDArray one = org.nd4j.linalg.factory.Nd4j.ones(1);
        Map<String, Map<String, org.nd4j.linalg.api.ndarray.INDArray>> files = Map.of(
                "SD 3", Map.of("model.diffusion_model.joint_blocks.0.x_block.attn.qkv.weight", one),
                "Flux", Map.of("double_blocks.0.img_attn.qkv.weight", one),
                "SDXL refiner", Map.of("conditioner.embedders.0.model.token_embedding.weight", one),
                "SDXL inpainting", Map.of("conditioner.embedders.0.transformer.text_model.embeddings.token_embedding.weight", one,
                        "model.diffusion_model.input_blocks.0.0.weight", org.nd4j.linalg.factory.Nd4j.ones(320, 9, 3, 3),
                        "model.diffusion_model.out.2.weight", org.nd4j.linalg.factory.Nd4j.ones(4, 320, 3, 3)),
                "SD 1.x instruct-pix2pix", Map.of("cond_stage_model.transformer.text_model.embeddings.token_embedding.weight", one,
                        "model.diffusion_model.input_blocks.0.0.weight", org.nd4j.linalg.factory.Nd4j.ones(320, 8, 3, 3),
                        "model.diffusion_model.out.2.weight", org.nd4j.linalg.factory.Nd4j.ones(4, 320, 3, 3)));
        files.forEach((family, tensors) -> {
            Path file = dir.resolve(family.replace(' ', '_') + ".safetensors");
            SafetensorsWriter.float32().write(file, tensors);
            CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.open(file, null).close(), family);
            assertTrue(e.getMessage().contains("not supported yet: " + family), e.getMessage());
        });
    }

    @Test
    void anSdxlRefinerFolderIsNamed() throws IOException {
        Path model = dir.resolve("refiner");
        Files.createDirectories(model.resolve("text_encoder_2"));
        Files.writeString(model.resolve("model_index.json"), "{\"_class_name\": \"StableDiffusionXLImg2ImgPipeline\"}");
        try (Checkpoint c = Checkpoints.open(model, null)) {
            CheckpointException e = assertThrows(CheckpointException.class, c::family);
            assertTrue(e.getMessage().contains("not supported yet: SDXL refiner"), e.getMessage());
        }
    }

    @Test
    void diffusersFolderWithOnlyPickledWeightsIsRefused() throws IOException {
        Path model = dir.resolve("model");
        Files.createDirectories(model.resolve("text_encoder"));
        Files.writeString(model.resolve("model_index.json"), "{}");
        Files.copy(Fixtures.path("sd1-tiny", "model/text_encoder/config.json"), model.resolve("text_encoder/config.json"));
        Files.write(model.resolve("text_encoder/pytorch_model.bin"), new byte[]{'P', 'K', 3, 4});
        try (Checkpoint c = Checkpoints.open(model, null)) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> c.weights(Component.TEXT_ENCODER));
            assertTrue(e.getMessage().contains("pytorch_model.bin") && e.getMessage().contains("pickle"), e.getMessage());
        }
    }

    @Test
    void fp16VariantIsUsedWhenItIsTheOnlyWeightsFile() throws IOException {
        Path model = dir.resolve("model");
        Files.createDirectories(model.resolve("unet"));
        Files.writeString(model.resolve("model_index.json"), "{}");
        Files.copy(Fixtures.path("sd1-tiny", "model/unet/diffusion_pytorch_model.fp16.safetensors"),
                model.resolve("unet/diffusion_pytorch_model.fp16.safetensors"));
        try (Checkpoint c = Checkpoints.open(model, null)) {
            WeightSource unet = c.weights(Component.UNET);
            assertTrue(unet.file().file().getFileName().toString().endsWith(".fp16.safetensors"));
            assertEquals(4, unet.shape("conv_in.weight")[1], "conv_in reads 4 latent channels");
        }
    }

    @Test
    void missingModelIsAClearError() {
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.open(dir.resolve("nope.safetensors"), null));
        assertTrue(e.getMessage().contains("model not found"), e.getMessage());
    }
}
