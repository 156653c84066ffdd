package diffusionj.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The hashes the web UIs write into the parameters text to name the files a picture was made with. */
public final class FileHashes {
    private FileHashes() {
    }

    /** SHA-256 of the whole file, hex (a textual-inversion embedding's "TI hashes" entry is its first 12 digits). */
    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return sha256(in);
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * SHA-256 of a safetensors file's tensors, after its header, hex: kohya's "addnet" hash, which the web UI's
     * "Lora hashes" entry abbreviates to 12 digits; editing a file's metadata keeps it.
     */
    public static String safetensorsDataSha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            long header = ByteBuffer.wrap(in.readNBytes(8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
            in.skipNBytes(header);
            return sha256(in);
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static String sha256(InputStream in) throws IOException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] block = new byte[1 << 16];
            for (int n; (n = in.read(block)) > 0; ) {
                sha.update(block, 0, n);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
