package diffusionj.pipeline;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GenerationParametersTest {

    @Test
    void formatReadsLikeTheWebUisAndParsesBackToTheSameRequest() {
        GenerationRequest r = new GenerationRequest("a (red:1.2) circle,\nsecond line", "blurry, palm tree", "dpmpp_2m_karras", 25, 7.5,
                1234, 512, 768, 1, 2);
        String text = GenerationParameters.format(r, 1234, "v1-5-pruned", "e1441589");
        assertEquals("a (red:1.2) circle,\nsecond line\nNegative prompt: blurry, palm tree\n"
                + "Steps: 25, Sampler: DPM++ 2M Karras, CFG scale: 7.5, Seed: 1234, Size: 512x768, Model hash: e1441589,"
                + " Model: v1-5-pruned, Clip skip: 2", text);
        assertEquals(r, GenerationParameters.parse(text));
    }

    @Test
    void aWebUiTextWithExtraFieldsParses() {
        String text = "masterpiece, 1girl\nNegative prompt: lowres\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 42,"
                + " Size: 512x512, Model hash: 6ce0161689, Model: v1-5, Denoising strength: 0.5, Version: v1.6.0";
        GenerationRequest r = GenerationParameters.parse(text);
        assertEquals("masterpiece, 1girl", r.prompt());
        assertEquals("lowres", r.negativePrompt());
        assertEquals("euler_ancestral", r.sampler());
        assertEquals(7.0, r.guidanceScale());
        assertEquals(42, r.seed());
        Map<String, String> fields = GenerationParameters.fields(text);
        assertEquals("v1.6.0", fields.get("Version"));
        assertEquals("0.5", fields.get("Denoising strength"));
    }

    /** A web UI's text with LoRA tags and quoted hash lists reads back to the prompt with its tags; the lists stay whole. */
    @Test
    void loraTagsAndQuotedHashListsReadBack() {
        String text = "a photo of mychar <lora:Kohya:0.8>\nNegative prompt: badneg, blurry\nSteps: 10, Sampler: DDIM, CFG scale: 7.5,"
                + " Seed: 1, Size: 64x64, Model hash: 1a2b3c4d, Model: tiny, Lora hashes: \"Kohya: 0123456789ab, Other Style: ba9876543210\","
                + " TI hashes: \"mychar: 111111111111, badneg: 222222222222\", Version: v1.10.0";
        assertEquals("a photo of mychar <lora:Kohya:0.8>", GenerationParameters.parse(text).prompt());
        Map<String, String> fields = GenerationParameters.fields(text);
        assertEquals("\"Kohya: 0123456789ab, Other Style: ba9876543210\"", fields.get("Lora hashes"));
        assertEquals("\"mychar: 111111111111, badneg: 222222222222\"", fields.get("TI hashes"));
        assertEquals("v1.10.0", fields.get("Version"));
    }

    @Test
    void textWithoutSettingsIsRefused() {
        GenerationException e = assertThrows(GenerationException.class, () -> GenerationParameters.parse("just a caption"));
        assertTrue(e.getMessage().contains("Steps: "), e.getMessage());
    }

    @Test
    void requestValidationNamesTheFieldAndRange() {
        GenerationRequest ok = GenerationRequest.of("a cat");
        ok.withModelDefaults(5, 1024).validate();
        assertEquals(1024, ok.withModelDefaults(5, 1024).width());
        assertEquals(5, ok.withModelDefaults(5, 1024).guidanceScale());
        assertMessage(new GenerationRequest("a cat", "", "ddim", 20, 7.5, -1, 4096, 512, 1, 1), "width must be between 64 and 2048, got 4096");
        assertMessage(new GenerationRequest("a cat", "", "ddim", 20, 31, -1, 512, 512, 1, 1), "CFG scale must be between 0 and 30.0, got 31.0");
        assertMessage(new GenerationRequest("a cat", "", "ddim", 20, 7, -1, 512, 512, 17, 1), "batch size must be between 1 and 16, got 17");
        assertMessage(new GenerationRequest("a cat", "", "lcm", 60, 1, -1, 512, 512, 1, 1), "steps must be between 1 and 50, got 60");
        assertMessage(new GenerationRequest("a cat", "", "ddim", 20, 7, -2, 512, 512, 1, 1), "seed must be between 0 and 4294967295");
    }

    private static void assertMessage(GenerationRequest r, String expected) {
        GenerationException e = assertThrows(GenerationException.class, r::validate);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
