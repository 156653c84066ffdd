package diffusionj.ij;

import diffusionj.Fixtures;
import diffusionj.io.PngFiles;
import diffusionj.pipeline.GenerationParameters;
import diffusionj.pipeline.GenerationRequest;
import diffusionj.pipeline.GenerationResult;
import diffusionj.pipeline.Pipeline;
import diffusionj.pipeline.ProgressListener;
import diffusionj.pipeline.RunOptions;
import diffusionj.pipeline.StableDiffusion;
import diffusionj.text.ClipTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every macro in macros/ run headless (batch mode, virtual display) on the sd1-tiny model, and what it made checked. */
class MacrosTest {
    private static final int SIZE = 64;

    @TempDir
    Path work;

    private Path run(String macro, String extra) throws IOException, InterruptedException {
        Path out = work.resolve("out");
        String args = "model=" + Fixtures.path("sd1-tiny", "model").toAbsolutePath() + " out=" + out + " size=" + SIZE + " steps=3 " + extra;
        ImageJProcess.Result r = ImageJProcess.macro(work, Path.of("macros", macro), args);
        assertEquals(0, r.exitCode(), macro + " failed:\n" + r.output());
        return out;
    }

    private static BufferedImage image(Path file) throws IOException {
        assertTrue(Files.isRegularFile(file), file + " was not written");
        return ImageIO.read(file.toFile());
    }

    @Test
    void seedSweepMakesAMontageOfFourImages() throws Exception {
        BufferedImage montage = image(run("seed_sweep.ijm", "count=4").resolve("montage.png"));
        assertEquals(4 * SIZE, montage.getWidth());
        assertEquals(SIZE, montage.getHeight());
    }

    @Test
    void negativePromptABPutsTwoImagesSideBySide() throws Exception {
        BufferedImage ab = image(run("negative_ab.ijm", "").resolve("negative_ab.png"));
        assertEquals(2 * SIZE, ab.getWidth());
        assertEquals(SIZE, ab.getHeight());
    }

    @Test
    void cfgSweepMakesAMontageOfFourScales() throws Exception {
        BufferedImage montage = image(run("cfg_sweep.ijm", "").resolve("cfg_sweep.png"));
        assertEquals(4 * SIZE, montage.getWidth());
    }

    /** Also: the PNG's parameters, parsed and run again, give the identical image. */
    @Test
    void batchWritesOnePngWithParametersAndMapsPerPromptAndTheParametersReRunIdentically() throws Exception {
        Path prompts = work.resolve("prompts.txt");
        Files.writeString(prompts, "a red circle\n\n# not a prompt\na blue square, small\n");
        Path out = run("batch_prompts.ijm", "prompts=" + prompts);
        try (var files = Files.list(out)) {
            assertEquals(List.of("001-maps.tif", "001.png", "002-maps.tif", "002.png"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        String parameters = PngFiles.readText(out.resolve("002.png"), "parameters");
        GenerationRequest request = GenerationParameters.parse(parameters);
        assertEquals("a blue square, small", request.prompt());
        assertEquals(SIZE, request.width());
        ClipTokenizer tokenizer = ClipTokenizer.load(Fixtures.path("sd1-tiny", "model/tokenizer"));
        ij.ImagePlus maps = ij.IJ.openImage(out.resolve("002-maps.tif").toString());
        assertEquals(tokenizer.encode("a blue square, small").length, maps.getStackSize(), "one slice per prompt token");
        assertEquals("blue", maps.getStack().getSliceLabel(2));
        try (StableDiffusion model = StableDiffusion.load(Fixtures.path("sd1-tiny", "model"), null)) {
            GenerationResult again = new Pipeline(model).generate(request, false, RunOptions.NONE, ProgressListener.NONE, () -> false);
            BufferedImage saved = image(out.resolve("002.png"));
            int[] expected = saved.getRGB(0, 0, SIZE, SIZE, null, 0, SIZE);
            int[] actual = again.images().get(0).update(null).getCurrentStorageArray();
            assertArrayEquals(expected, actual, "re-running the saved parameters gives the same pixels");
        }
    }

    @Test
    void tokenMeasurementsHaveOneRowPerPromptTokenWithValuesInRange() throws Exception {
        List<String> rows = Files.readAllLines(run("token_measurements.ijm", "").resolve("token_measurements.csv"));
        ClipTokenizer tokenizer = ClipTokenizer.load(Fixtures.path("sd1-tiny", "model/tokenizer"));
        int tokens = tokenizer.encode("a red circle on the left, a blue square on the right").length;
        assertEquals(tokens + 1, rows.size(), "a header and one ROI per prompt token");
        assertTrue(rows.get(2).contains("red"), rows.get(2));
        for (String row : rows.subList(1, rows.size())) {
            String[] f = row.split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)");
            double area = Double.parseDouble(f[f.length - 3]);
            double mean = Double.parseDouble(f[f.length - 2]);
            double max = Double.parseDouble(f[f.length - 1]);
            assertTrue(area > 0 && area <= SIZE * SIZE, row);
            assertTrue(mean > 0.4 && mean <= 1 && max <= 1, "map values inside a mask lie in (τ, 1]: " + row);
        }
    }

    @Test
    void imageToImageAndInpaintingWorkOnTheCurrentImageAndNeedASelectionToInpaint() throws Exception {
        Path macro = work.resolve("img2img.ijm");
        String model = Fixtures.path("sd1-tiny", "model").toAbsolutePath().toString();
        Files.writeString(macro, String.join("\n",
                "setBatchMode(true);",
                "newImage(\"start\", \"RGB ramp\", 64, 64, 1);",
                "run(\"Image to Image...\", \"prompt=[a red circle] model=[" + model + "] steps=4 seed=3 strength=0.5\");",
                "print(\"img2img \" + getWidth() + \"x\" + getHeight() + \" \" + Property.get(\"Denoising strength\"));",
                "selectImage(\"start\");",
                "makeRectangle(16, 16, 32, 32);",
                "run(\"Inpaint Selection...\", \"prompt=[a blue square] model=[" + model + "] steps=4 seed=3 strength=0.8 mask=2\");",
                "inpainted = getImageID();",
                "selectImage(\"start\");",
                "original = getPixel(2, 2);",
                "selectImage(inpainted);",
                "print(\"corner kept \" + (getPixel(2, 2) == original) + \", mask blur \" + Property.get(\"Mask blur\"));",
                "selectImage(\"start\");",
                "run(\"Select None\");",
                "run(\"Inpaint Selection...\", \"prompt=[a cat] model=[" + model + "] steps=4\");",
                "print(\"not reached\");", ""));
        ImageJProcess.Result r = ImageJProcess.macro(work, macro, "");
        assertTrue(r.output().contains("img2img 64x64 0.5"), r.exitCode() + ": " + r.output() + Files.readString(macro));
        assertTrue(r.output().contains("corner kept 1, mask blur 2"), r.output());
        assertTrue(r.output().contains("Inpaint Selection needs an area selection on start"), r.output());
        assertEquals(1, r.exitCode(), r.output());
    }

    /** A web-UI style PNG opened from disk: Token Maps... re-runs its parameters and maps every prompt token. */
    @Test
    void aSavedPngCarriesItsParametersBackIntoTokenMaps() throws Exception {
        Path macro = work.resolve("reopen.ijm");
        Path png = work.resolve("saved.png");
        String model = Fixtures.path("sd1-tiny", "model").toAbsolutePath().toString();
        Files.writeString(macro, String.join("\n",
                "setBatchMode(true);",
                "run(\"Generate Image...\", \"prompt=[a green ring, big] model=[" + model + "] steps=3 seed=8 width=64 height=64\");",
                "run(\"PNG with Parameters...\", \"path=[" + png + "]\");",
                "close(\"*\");",
                "open(\"" + png + "\");",
                "run(\"Token Maps...\", \"threshold=0.5 model=[" + model + "]\");",
                "selectImage(\"Token maps of saved.png\");",
                "print(\"slices \" + nSlices + \" rois \" + roiManager(\"count\"));", ""));
        ImageJProcess.Result r = ImageJProcess.macro(work, macro, "");
        assertEquals(0, r.exitCode(), r.output());
        int tokens = ClipTokenizer.load(Fixtures.path("sd1-tiny", "model/tokenizer")).encode("a green ring, big").length;
        assertTrue(r.output().contains("slices " + tokens + " rois " + tokens), r.output());
        assertEquals("a green ring, big", GenerationParameters.fields(PngFiles.readText(png, "parameters")).get("Prompt"));
    }

    @Test
    void aBadSettingStopsTheBatchWithTheReasonAndExitStatus1() throws Exception {
        Path macro = work.resolve("bad.ijm");
        Files.writeString(macro, "run(\"Generate Image...\", \"prompt=[a cat] model=[" + Fixtures.path("sd1-tiny", "model").toAbsolutePath()
                + "] steps=500 width=64 height=64\");\nprint(\"not reached\");\n");
        ImageJProcess.Result r = ImageJProcess.macro(work, macro, "");
        assertEquals(1, r.exitCode());
        assertTrue(r.output().contains("steps must be between 1 and 150, got 500"), r.output());
        assertTrue(!r.output().contains("not reached"), r.output());
    }

    /**
     * An SDXL single file from a macro: the family's CFG ("auto") and size, a schedule type and SDXL's size conditioning,
     * token maps of the lower-resolution cross-attention levels, and the parameters as the PNG carries them.
     */
    @Test
    void anSdxlCheckpointGeneratesFromAMacroWithItsDefaultsAndTokenMaps() throws Exception {
        Path macro = work.resolve("sdxl.ijm");
        Path png = work.resolve("sdxl.png");
        String model = Fixtures.path("sdxl-tiny", "model-ldm.safetensors").toAbsolutePath().toString();
        Files.writeString(macro, String.join("\n",
                "setBatchMode(true);",
                "run(\"Generate Image...\", \"prompt=[a red circle, a blue square] negative=[] model=[" + model
                        + "] sampler=euler steps=3 seed=5 cfg=auto schedule=sgm_uniform original_size=96,96 crop=8,0 token\");",
                "print(\"size \" + getWidth() + \"x\" + getHeight());",
                "run(\"PNG with Parameters...\", \"path=[" + png + "]\");", ""));
        ImageJProcess.Result r = ImageJProcess.macro(work, macro, "");
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("size 64x64"), r.output());
        String parameters = PngFiles.readText(png, "parameters");
        assertTrue(parameters.contains("CFG scale: 5,") && parameters.contains("Schedule type: SGM Uniform")
                && parameters.contains("Original size: 96x96, Crop top left: 8,0") && parameters.contains("Model: model-ldm"), parameters);
    }


    /** Word maps over a folder: the caption beside an image wins over prompt=, any size and type is mapped, one row per token. */
    @Test
    void wordMapsOfAFolderWriteOneRowPerPromptTokenOfEachImage() throws Exception {
        Path in = work.resolve("in");
        Files.createDirectories(in);
        BufferedImage drawn = diffusionj.shapes.SceneRenderer.image(new diffusionj.shapes.SceneSampler(5).next(), 64);
        ImageIO.write(drawn, "png", in.resolve("scene.png").toFile());
        Files.writeString(in.resolve("scene.txt"), "a red circle\n");
        ij.process.ShortProcessor grey = new ij.process.ShortProcessor(70, 45);
        for (int p = 0; p < 70 * 45; p++) {
            grey.set(p, 1000 + p);
        }
        ij.IJ.saveAsTiff(new ij.ImagePlus("grey", grey), in.resolve("grey.tif").toString());
        List<String> rows = Files.readAllLines(run("word_maps_folder.ijm", "in=" + in + " prompt=[a blue square, small] draws=1")
                .resolve("word_areas.csv"));
        ClipTokenizer tokenizer = ClipTokenizer.load(Fixtures.path("sd1-tiny", "model/tokenizer"));
        int grey16 = tokenizer.encode("a blue square, small").length;
        int scene = tokenizer.encode("a red circle").length;
        assertEquals(1 + grey16 + scene, rows.size(), String.join("\n", rows));
        assertTrue(rows.get(1).contains("grey.tif") && rows.get(1 + grey16).contains("scene.png"), String.join("\n", rows));
        for (String row : rows.subList(1, rows.size())) {
            String[] f = row.split(",");
            double fraction = Double.parseDouble(f[f.length - 1]);
            assertTrue(fraction >= 0 && fraction <= 1, row);
        }
    }

    /** A selection limits the maps to it (0 outside, image-sized outputs); the command refuses an empty prompt by name. */
    @Test
    void wordMapsOfASelectionAreZeroOutsideItAndAnEmptyPromptIsRefused() throws Exception {
        Path macro = work.resolve("wordmaps.ijm");
        String model = Fixtures.path("sd1-tiny", "model").toAbsolutePath().toString();
        Files.writeString(macro, String.join("\n",
                "setBatchMode(true);",
                "newImage(\"cells\", \"32-bit ramp\", 70, 45, 1);",
                "makeOval(10, 5, 30, 30);",
                "run(\"Word Maps of Image...\", \"prompt=[a red circle] model=[" + model + "] timesteps=300 draws=1 seed=2\");",
                "selectImage(\"Token maps of cells\");",
                "print(\"maps \" + getWidth() + \"x\" + getHeight() + \" slices \" + nSlices + \" rois \" + roiManager(\"count\")"
                        + " + \" corner \" + getPixel(0, 0) + \" label \" + getInfo(\"slice.label\"));",
                "newImage(\"channels\", \"16-bit composite-mode ramp\", 64, 64, 2, 1, 1);",
                "run(\"Word Maps of Image...\", \"prompt=[a red circle] model=[" + model + "] timesteps=300 draws=1\");",
                "selectImage(\"Token maps of channels\");",
                "print(\"composite maps \" + getWidth() + \"x\" + getHeight());",
                "selectImage(\"cells\");",
                "run(\"Select None\");",
                "run(\"Word Maps of Image...\", \"prompt=[ ] model=[" + model + "]\");",
                "print(\"not reached\");", ""));
        ImageJProcess.Result r = ImageJProcess.macro(work, macro, "");
        int tokens = ClipTokenizer.load(Fixtures.path("sd1-tiny", "model/tokenizer")).encode("a red circle").length;
        assertTrue(r.output().contains("maps 70x45 slices " + tokens + " rois " + tokens + " corner 0 label a"), r.output());
        assertTrue(r.output().contains("composite maps 64x64"), r.output());
        assertTrue(r.output().contains("the prompt is empty"), r.output());
        assertEquals(1, r.exitCode(), r.output());
    }

    /** The hires fix from a macro: the large size, the web UIs' fields as properties, and Token Maps... of the result at its size. */
    @Test
    void theHiresFixRunsFromAMacroAndRecordsItsFields() throws Exception {
        Path macro = work.resolve("hires.ijm");
        String model = Fixtures.path("sd1-tiny", "model").toAbsolutePath().toString();
        Files.writeString(macro, String.join("\n",
                "setBatchMode(true);",
                "run(\"Generate Image...\", \"prompt=[a red circle] model=[" + model + "] steps=3 seed=4 width=64 height=64"
                        + " hires_scale=2 hires_steps=2 hires_denoise=0.6 hires_upscaler=lanczos token\");",
                "print(\"size \" + getWidth() + \"x\" + getHeight() + \" upscale \" + Property.get(\"Hires upscale\")"
                        + " + \" upscaler \" + Property.get(\"Hires upscaler\") + \" strength \" + Property.get(\"Denoising strength\"));",
                "selectImage(\"Token maps of \" + getTitle());",
                "print(\"maps \" + getWidth() + \"x\" + getHeight());", ""));
        ImageJProcess.Result r = ImageJProcess.macro(work, macro, "");
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("size 128x128 upscale 2 upscaler Lanczos strength 0.6"), r.output());
        assertTrue(r.output().contains("maps 128x128"), r.output());
    }
}
