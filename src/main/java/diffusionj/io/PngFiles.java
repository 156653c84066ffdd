package diffusionj.io;

import org.w3c.dom.Node;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** PNG files with text chunks: the web UIs keep a result's generation parameters under the key "parameters". */
public final class PngFiles {
    private static final String FORMAT = "javax_imageio_png_1.0";

    private PngFiles() {
    }

    public static void write(Path file, BufferedImage image, Map<String, String> text) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        SafetensorsWriter.createParent(file);
        try (ImageOutputStream out = ImageIO.createImageOutputStream(Files.newOutputStream(file))) {
            writer.setOutput(out);
            IIOMetadata metadata = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image), null);
            IIOMetadataNode entries = new IIOMetadataNode("tEXt");
            text.forEach((key, value) -> {
                IIOMetadataNode entry = new IIOMetadataNode("tEXtEntry");
                entry.setAttribute("keyword", key);
                entry.setAttribute("value", value);
                entries.appendChild(entry);
            });
            IIOMetadataNode root = new IIOMetadataNode(FORMAT);
            root.appendChild(entries);
            metadata.mergeTree(FORMAT, root);
            writer.write(new IIOImage(image, null, metadata));
        } catch (IOException e) {
            throw new CheckpointException("cannot write " + file + ": " + e.getMessage(), e);
        } finally {
            writer.dispose();
        }
    }

    /** The text chunk {@code key} of a PNG file, or null when it has none. */
    public static String readText(Path file, String key) {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            var readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new CheckpointException(file + " is not an image file");
            }
            var reader = readers.next();
            reader.setInput(in);
            Node root = reader.getImageMetadata(0).getAsTree(FORMAT);
            for (Node chunk = root.getFirstChild(); chunk != null; chunk = chunk.getNextSibling()) {
                if (chunk.getNodeName().equals("tEXt")) {
                    for (Node e = chunk.getFirstChild(); e != null; e = e.getNextSibling()) {
                        if (key.equals(((IIOMetadataNode) e).getAttribute("keyword"))) {
                            return ((IIOMetadataNode) e).getAttribute("value");
                        }
                    }
                }
            }
            return null;
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
