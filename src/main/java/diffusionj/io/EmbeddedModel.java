package diffusionj.io;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * The small model we trained on the shapes dataset and ship inside the jar (a diffusers folder under
 * {@code models/embedded/}), so that a fresh install generates something meaningful. It is found by the
 * name {@value #NAME}. Model loading reads files, so from a jar the folder is unpacked once into a cache
 * folder named after the content hash; a new jar with new weights gets a new folder, and a half-written
 * folder is never used (it is assembled aside and renamed into place).
 */
public final class EmbeddedModel {
    public static final String NAME = "embedded";
    private static final String ROOT = "models/embedded/";
    /** "sha256  ./relative/path" per file, as {@code sha256sum} writes it. */
    private static final String LISTING = "files.sha256";

    private static Path found;

    private EmbeddedModel() {
    }

    /** A model named on the command line or in a macro: "embedded" (or nothing) is ours, anything else a path. */
    public static Path resolve(String nameOrPath) {
        if (nameOrPath == null || nameOrPath.isBlank() || nameOrPath.strip().toLowerCase(Locale.ROOT).equals(NAME)) {
            return folder();
        }
        return Path.of(nameOrPath.strip());
    }

    /** Whether a path is the embedded model's folder, so it can be remembered by name rather than by cache path. */
    public static boolean isEmbedded(Path path) {
        if (path == null || EmbeddedModel.class.getClassLoader().getResource(ROOT + LISTING) == null) {
            return false;
        }
        return path.toAbsolutePath().normalize().equals(folder().toAbsolutePath().normalize());
    }

    /** The model's folder: the resources themselves when they are plain files, else the unpacked cache. */
    public static synchronized Path folder() {
        if (found == null) {
            found = folder(EmbeddedModel.class.getClassLoader(), cacheRoot());
        }
        return found;
    }

    static Path folder(ClassLoader resources, Path cacheRoot) {
        URL listing = resources.getResource(ROOT + LISTING);
        if (listing == null) {
            throw new CheckpointException("the embedded model is missing from this build (no " + ROOT + LISTING + " on the class path)");
        }
        if (listing.getProtocol().equals("file")) {
            try {
                return Path.of(listing.toURI()).getParent();
            } catch (URISyntaxException e) {
                throw new CheckpointException("cannot read the embedded model at " + listing + ": " + e.getMessage(), e);
            }
        }
        return unpacked(resources, read(resources, LISTING), cacheRoot);
    }

    private static Path unpacked(ClassLoader resources, byte[] listing, Path cacheRoot) {
        Path target = cacheRoot.resolve("embedded-" + HexFormat.of().formatHex(sha256(listing)).substring(0, 12));
        if (Files.isDirectory(target)) {
            return target;
        }
        Path staging = null;
        try {
            Files.createDirectories(target.getParent());
            staging = Files.createTempDirectory(target.getParent(), "embedded-unpacking-");
            for (Entry e : entries(listing)) {
                byte[] bytes = read(resources, e.path());
                if (!HexFormat.of().formatHex(sha256(bytes)).equals(e.sha256())) {
                    throw new CheckpointException("the embedded model's " + e.path() + " does not match its checksum: the jar is damaged");
                }
                Path file = staging.resolve(e.path());
                Files.createDirectories(file.getParent());
                Files.write(file, bytes);
            }
            moveIntoPlace(staging, target);
            staging = null;
            return target;
        } catch (IOException e) {
            throw new CheckpointException("cannot unpack the embedded model into " + target.getParent() + ": " + e.getMessage()
                    + " (set -Ddiffusionj.cache=DIR to a writable folder)", e);
        } finally {
            deleteQuietly(staging);
        }
    }

    /**
     * Deletes a temporary folder and all it holds (a failed unpacking, a benchmark's checkpoint); what cannot be
     * deleted is only a stray temporary folder.
     */
    public static void deleteQuietly(Path staging) {
        if (staging == null) {
            return;
        }
        try (var files = Files.walk(staging)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: the folder has a temporary name and is never mistaken for a model
        }
    }

    private static void moveIntoPlace(Path staging, Path target) throws IOException {
        try {
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
            if (!Files.isDirectory(target)) {
                throw e;
            }
            // Another process unpacked the same content first; its copy is as good as ours.
        }
    }

    /** {@code -Ddiffusionj.cache}, else $XDG_CACHE_HOME/diffusionj, else ~/.cache/diffusionj. */
    static Path cacheRoot() {
        String property = System.getProperty("diffusionj.cache");
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("diffusionj");
    }

    /**
     * Writes the listing that makes a model folder shippable as the embedded model (every file's SHA-256, as
     * {@code sha256sum} prints it), so that copying the folder to {@code src/main/resources/models/embedded}
     * is all a release needs.
     */
    public static void writeListing(Path folder) {
        Path listing = folder.resolve(LISTING);
        try (var files = Files.walk(folder)) {
            StringBuilder out = new StringBuilder();
            for (Path f : files.filter(Files::isRegularFile).filter(f -> !f.equals(listing)).sorted().toList()) {
                out.append(HexFormat.of().formatHex(sha256(Files.readAllBytes(f)))).append("  ./")
                        .append(folder.relativize(f).toString().replace('\\', '/')).append('\n');
            }
            Files.writeString(listing, out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CheckpointException("cannot write " + listing + ": " + e.getMessage(), e);
        }
    }

    private record Entry(String sha256, String path) {
    }

    private static List<Entry> entries(byte[] listing) {
        List<Entry> out = new ArrayList<>();
        for (String line : new String(listing, StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                String[] parts = line.strip().split("\\s+", 2);
                String path = parts[1].startsWith("./") ? parts[1].substring(2) : parts[1];
                if (path.contains("..")) {
                    throw new CheckpointException("the embedded model's listing names a path outside its folder: " + path);
                }
                out.add(new Entry(parts[0], path));
            }
        }
        return out;
    }

    private static byte[] read(ClassLoader resources, String relative) {
        try (InputStream in = resources.getResourceAsStream(ROOT + relative)) {
            if (in == null) {
                throw new CheckpointException("the embedded model's " + relative + " is missing from this build");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new CheckpointException("cannot read the embedded model's " + relative + ": " + e.getMessage(), e);
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
