package diffusionj.install;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * The checksum the ImageJ Updater records for a file and compares with what it finds installed. A jar's is SHA-1 over
 * its entries in name order (each name, then its content) so that rebuilding the same classes gives the same sum:
 * .properties files without their '#' lines (Maven writes a date there), and the manifest without its content (the
 * Updater filters it down to its Main-Class line, which its case-sensitive test never matches). Any other file:
 * SHA-1 over its path in the installation, then its bytes.
 */
public final class UpdaterChecksum {
    private UpdaterChecksum() {
    }

    /** @param path the file's place in the installation ("jars/foo-1.0.jar"), which a non-jar's sum includes */
    public static String of(String path, Path file) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            if (path.endsWith(".jar")) {
                jarEntries(file, sha1);
            } else {
                sha1.update(path.getBytes(StandardCharsets.US_ASCII));
                try (InputStream in = Files.newInputStream(file)) {
                    update(sha1, in);
                }
            }
            return HexFormat.of().formatHex(sha1.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java has no SHA-1", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot checksum " + file + ": " + e.getMessage(), e);
        }
    }

    private static void jarEntries(Path file, MessageDigest sha1) throws IOException {
        try (JarFile jar = new JarFile(file.toFile())) {
            List<JarEntry> entries = new ArrayList<>(java.util.Collections.list(jar.entries()));
            entries.sort(Comparator.comparing(JarEntry::getName));
            for (JarEntry e : entries) {
                sha1.update(e.getName().getBytes(StandardCharsets.US_ASCII));
                if (e.getName().equals("META-INF/MANIFEST.MF")) {
                    continue;
                }
                try (InputStream in = jar.getInputStream(e)) {
                    update(sha1, e.getName().endsWith(".properties") ? withoutHashedLines(in) : in);
                }
            }
        }
    }

    /** The stream without the lines that begin with '#'. */
    static InputStream withoutHashedLines(InputStream in) throws IOException {
        byte[] all = in.readAllBytes();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(all.length);
        boolean lineStart = true;
        boolean skipping = false;
        for (byte b : all) {
            if (lineStart) {
                skipping = b == '#';
            }
            if (!skipping) {
                out.write(b);
            }
            lineStart = b == '\n';
        }
        return new ByteArrayInputStream(out.toByteArray());
    }

    private static void update(MessageDigest sha1, InputStream in) throws IOException {
        byte[] buffer = new byte[1 << 16];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            sha1.update(buffer, 0, n);
        }
    }
}
