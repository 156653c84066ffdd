package diffusionj.cli;

import diffusionj.attention.TokenMaps;
import diffusionj.io.PngFiles;
import diffusionj.io.SafetensorsWriter;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The token-map files that {@code generate --maps} and {@code word-maps} write, one set per image. */
final class TokenMapFiles {
    private TokenMapFiles() {
    }

    /**
     * Per image (numbered for several): token_maps.safetensors (DAAM-indexed maps, word.W, mask.W), word-W.png heat maps
     * and mask-W.png masks (white where the map exceeds the threshold), so a mask opens in any viewer as the file holds it.
     */
    static void write(List<TokenMaps> all, Path dir, double threshold) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new diffusionj.io.CheckpointException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        int n = all.size();
        for (int i = 0; i < n; i++) {
            TokenMaps maps = all.get(i);
            Map<String, INDArray> tensors = new LinkedHashMap<>();
            tensors.put("token_maps", maps.daamMaps());
            for (TokenMaps.LabelledMap word : maps.wordMaps()) {
                tensors.put("word." + word.label(), word.map());
                INDArray mask = word.mask(threshold);
                tensors.put("mask." + word.label(), mask);
                PngFiles.write(GenerateCommand.numbered(dir.resolve("word-" + safe(word.label())), i, n, ".png"), grey(word.map()), Map.of("word", word.label()));
                PngFiles.write(GenerateCommand.numbered(dir.resolve("mask-" + safe(word.label())), i, n, ".png"), grey(mask),
                        Map.of("word", word.label(), "threshold", Double.toString(threshold)));
            }
            SafetensorsWriter.float32().write(GenerateCommand.numbered(dir.resolve("token_maps"), i, n, ".safetensors"), tensors);
        }
    }

    private static String safe(String label) {
        return label.replaceAll("[^\\p{L}\\p{N}_-]", "_");
    }

    private static BufferedImage grey(INDArray map) {
        int h = (int) map.size(0);
        int w = (int) map.size(1);
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        float[] v = map.dup('c').data().asFloat();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int level = Math.round(Math.max(0, Math.min(1, v[y * w + x])) * 255);
                image.getRaster().setSample(x, y, 0, level);
            }
        }
        return image;
    }

}
