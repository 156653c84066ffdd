package diffusionj.train;

import diffusionj.io.CheckpointException;
import diffusionj.pipeline.Images;
import net.imglib2.img.array.ArrayImgs;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A training set in the layout common fine-tuning tools use: NAME.png (or .jpg) with its caption in NAME.txt.
 * Images are centre-cropped to a square and scaled to the training size once, at load; masks
 * (NAME.mask.*.png) and images without a caption are not training pairs and are skipped.
 */
record ImageCaptionFolder(List<String> names, List<String> captions, INDArray images) {

    static ImageCaptionFolder load(Path dir, int size) {
        return load(dir, size, Integer.MAX_VALUE);
    }

    /** The first {@code limit} pairs in name order: a probe of a few images need not decode the whole set. */
    static ImageCaptionFolder load(Path dir, int size, int limit) {
        if (!Files.isDirectory(dir)) {
            throw new CheckpointException("training data folder not found: " + dir);
        }
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(ImageCaptionFolder::isImage).sorted().toList();
        } catch (IOException e) {
            throw new CheckpointException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        List<String> names = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        List<INDArray> pixels = new ArrayList<>();
        for (Path image : files) {
            if (names.size() == limit) {
                break;
            }
            String file = image.getFileName().toString();
            String name = file.substring(0, file.lastIndexOf('.'));
            Path caption = dir.resolve(name + ".txt");
            if (!Files.isRegularFile(caption)) {
                continue;
            }
            names.add(name);
            captions.add(readCaption(caption));
            pixels.add(pixels(Images.read(image), size));
        }
        if (names.isEmpty()) {
            throw new CheckpointException(dir + " has no training pairs: expected NAME.png (or .jpg) with its caption in NAME.txt");
        }
        INDArray images = Nd4j.concat(0, pixels.toArray(INDArray[]::new));
        return new ImageCaptionFolder(List.copyOf(names), List.copyOf(captions), images);
    }

    int size() {
        return names.size();
    }

    private static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase();
        return (n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg")) && !n.contains(".mask.");
    }

    private static String readCaption(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (text.isEmpty()) {
                throw new CheckpointException("caption file " + file + " is empty");
            }
            return text;
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Centre square, scaled to size × size, as [1, 3, size, size] in [−1, 1]. */
    static INDArray pixels(BufferedImage image, int size) {
        int side = Math.min(image.getWidth(), image.getHeight());
        int x0 = (image.getWidth() - side) / 2;
        int y0 = (image.getHeight() - side) / 2;
        BufferedImage square = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = square.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(image, 0, 0, size, size, x0, y0, x0 + side, y0 + side, null);
        g.dispose();
        return Images.fromArgb(ArrayImgs.argbs(square.getRGB(0, 0, size, size, null, 0, size), size, size));
    }
}
