package diffusionj.ij;

import diffusionj.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ImageJ with the plugin in a real window under a virtual display: a generation through the menu command
 * with token maps gives the result window (with its overlay), the token-map stack, the label image and the
 * ROI Manager; the screenshots are kept in target/screenshots for the README.
 */
class GuiTest {
    @TempDir
    Path work;

    @Test
    void theMenuCommandOpensTheResultAndTokenMapWindows() throws Exception {
        Path out = Path.of("target", "screenshots").toAbsolutePath();
        ImageJProcess.Result r = ImageJProcess.run(work, GuiTour.class.getName(), out.toString(),
                Fixtures.path("sd1-tiny", "model").toAbsolutePath().toString(), Fixtures.path("gpt2-tiny", "model").toAbsolutePath().toString());
        assertEquals(0, r.exitCode(), r.output());
        List<String> windows = Files.readAllLines(out.resolve("windows.txt"));
        String title = "a red circle on the left and a blue squa… (seed 42)";
        assertTrue(windows.contains("image: " + title + " [overlay 5]"), windows.toString());
        assertTrue(windows.contains("image: Token maps of " + title), windows.toString());
        assertTrue(windows.contains("image: Token labels of " + title), windows.toString());
        assertTrue(windows.contains("window: ROI Manager"), windows.toString());
        List<String> recorded = Files.readAllLines(out.resolve("recorded.txt"));
        assertTrue(recorded.get(0).startsWith("run(\"Generate Image...\", \"prompt=[a [red] circle, soft lighting] negative=blurry "), recorded.get(0));
        assertTrue(recorded.get(0).matches(".* seed=[0-9]+ .*"), "the random seed drawn is recorded: " + recorded.get(0));
        assertEquals("same pixels: true", recorded.get(1), "the recorded line re-makes the image: " + recorded.get(0));
        for (String shot : new String[]{"plugin-result.png", "generate-dialog.png", "model-manager.png", "caption-completer.png"}) {
            BufferedImage image = ImageIO.read(out.resolve(shot).toFile());
            assertTrue(distinctColours(image) > 3, shot + " looks blank");
        }
    }

    private static long distinctColours(BufferedImage image) {
        return java.util.Arrays.stream(image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth())).distinct().count();
    }

}
