package diffusionj.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The embedded model is found by name and unpacked from a jar exactly once, checked against its listing. */
class EmbeddedModelTest {
    @TempDir
    Path dir;

    private static final Map<String, String> FILES = Map.of("model_index.json", "{\"_class_name\": \"StableDiffusionPipeline\"}",
            "unet/config.json", "{\"sample_size\": 32}");

    @Test
    void theNameAndAnEmptyFieldMeanTheEmbeddedModelAndAnythingElseIsAPath() {
        Path embedded = EmbeddedModel.folder();
        assertTrue(Files.isRegularFile(embedded.resolve("model_index.json")), embedded.toString());
        assertEquals(embedded, EmbeddedModel.resolve("embedded"));
        assertEquals(embedded, EmbeddedModel.resolve(" Embedded "));
        assertEquals(embedded, EmbeddedModel.resolve(""));
        assertEquals(Path.of("models/sd15"), EmbeddedModel.resolve("models/sd15"));
        assertTrue(EmbeddedModel.isEmbedded(embedded));
    }

    @Test
    void fromAJarItIsUnpackedOnceIntoAFolderNamedAfterItsContent() throws Exception {
        Path cache = dir.resolve("cache");
        try (URLClassLoader jar = jar(listing(false))) {
            Path folder = EmbeddedModel.folder(jar, cache);
            assertTrue(folder.getFileName().toString().startsWith("embedded-"));
            FILES.forEach((name, text) -> assertEquals(text, read(folder.resolve(name))));
            long written = Files.getLastModifiedTime(folder.resolve("unet/config.json")).toMillis();
            assertEquals(folder, EmbeddedModel.folder(jar, cache));
            assertEquals(written, Files.getLastModifiedTime(folder.resolve("unet/config.json")).toMillis());
        }
    }

    @Test
    void theListingATrainingRunWritesIsTheOneTheJarIsCheckedAgainst() throws Exception {
        Path model = dir.resolve("model");
        for (var f : FILES.entrySet()) {
            Files.createDirectories(model.resolve(f.getKey()).getParent());
            Files.writeString(model.resolve(f.getKey()), f.getValue());
        }
        EmbeddedModel.writeListing(model);
        EmbeddedModel.writeListing(model);
        assertEquals(listing(false), Files.readString(model.resolve("files.sha256")));
    }

    @Test
    void aDamagedJarIsNamedAndLeavesNothingBehind() throws Exception {
        Path cache = dir.resolve("cache");
        try (URLClassLoader jar = jar(listing(true))) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> EmbeddedModel.folder(jar, cache));
            assertTrue(e.getMessage().contains("unet/config.json does not match its checksum"), e.getMessage());
        }
        try (var left = Files.list(cache)) {
            assertEquals(0, left.count());
        }
    }

    @Test
    void aBuildWithoutTheModelSaysSo() throws Exception {
        try (URLClassLoader empty = new URLClassLoader(new URL[0], null)) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> EmbeddedModel.folder(empty, dir));
            assertTrue(e.getMessage().contains("missing from this build"), e.getMessage());
        }
    }

    private String listing(boolean damaged) throws Exception {
        StringBuilder s = new StringBuilder();
        for (var f : new java.util.TreeMap<>(FILES).entrySet()) {
            String text = damaged && f.getKey().startsWith("unet") ? f.getValue() + " " : f.getValue();
            s.append(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8))))
                    .append("  ./").append(f.getKey()).append('\n');
        }
        return s.toString();
    }

    private URLClassLoader jar(String listing) throws IOException {
        Path jar = dir.resolve("model.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            put(out, "models/embedded/files.sha256", listing);
            for (var f : FILES.entrySet()) {
                put(out, "models/embedded/" + f.getKey(), f.getValue());
            }
        }
        return new URLClassLoader(new URL[]{jar.toUri().toURL()}, null);
    }

    private static void put(JarOutputStream out, String name, String text) throws IOException {
        out.putNextEntry(new JarEntry(name));
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
