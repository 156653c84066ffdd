package diffusionj.install;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The update site built from the real run-time class path (target/classpath.txt, every platform's natives included),
 * read back as the ImageJ Updater reads it: every file in db.xml.gz lies at PATH-TIMESTAMP with the stated size and
 * checksum, every platform Fiji runs on has its natives, nothing Fiji ships is shipped again.
 */
class UpdateSiteTest {
    @TempDir
    Path work;

    @Test
    void theSiteListsEveryFileWithItsChecksumAndEveryPlatformsNatives() throws Exception {
        Path plugin = pluginJar(work.resolve("DiffusionJ_.jar"));
        List<Library> libraries = Library.fromClassPathFile(Path.of("target/classpath.txt"));
        Path site = work.resolve("site");
        UpdateSite.write(plugin, libraries, site, LocalDateTime.of(2026, 12, 2, 10, 0, 0));

        Element root;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(site.resolve("db.xml.gz")))) {
            root = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(in).getDocumentElement();
        }
        NodeList plugins = root.getElementsByTagName("plugin");
        Set<String> platforms = new HashSet<>();
        List<String> files = new ArrayList<>();
        for (int i = 0; i < plugins.getLength(); i++) {
            Element p = (Element) plugins.item(i);
            String filename = p.getAttribute("filename");
            Element version = (Element) p.getElementsByTagName("version").item(0);
            Path stored = site.resolve(filename + "-" + version.getAttribute("timestamp"));
            assertEquals("20261202100000", version.getAttribute("timestamp"));
            assertTrue(Files.isRegularFile(stored), stored + " is listed but missing");
            assertEquals(Files.size(stored), Long.parseLong(version.getAttribute("filesize")), filename);
            assertEquals(UpdaterChecksum.of(filename, stored), version.getAttribute("checksum"), filename);
            NodeList platform = p.getElementsByTagName("platform");
            if (platform.getLength() > 0) {
                String name = platform.item(0).getTextContent();
                platforms.add(name);
                assertTrue(filename.startsWith("jars/" + name + "/"), filename + " lies in its platform's folder");
            }
            files.add(filename);
        }
        assertEquals(Set.of("linux64", "linux-arm64", "win64", "macos64", "macos-arm64"), platforms);
        assertEquals("plugins/DiffusionJ_.jar", files.get(0));
        for (String platform : List.of("linux64", "win64", "macos64")) {
            assertTrue(files.stream().anyMatch(f -> f.startsWith("jars/" + platform + "/nd4j-native-") && f.endsWith("-onednn-avx2.jar")),
                    platform + " has the oneDNN + AVX2 build");
        }
        for (String shipped : List.of("imglib2-", "scijava-common-", "ij-", "gson-", "slf4j-nop-")) {
            assertFalse(files.stream().anyMatch(f -> f.startsWith("jars/" + shipped)), shipped + " is Fiji's own");
        }
        Element first = (Element) plugins.item(0);
        long neutral = files.stream().skip(1).filter(f -> f.chars().filter(c -> c == '/').count() == 1).count();
        assertEquals(neutral, first.getElementsByTagName("dependency").getLength(), "the plugin depends on every platform-neutral jar");
        for (int i = 0; i < first.getElementsByTagName("dependency").getLength(); i++) {
            String d = ((Element) first.getElementsByTagName("dependency").item(i)).getAttribute("filename");
            assertEquals(1, d.chars().filter(c -> c == '/').count(), d + ": no platform's natives are a dependency");
        }
    }

    @Test
    void aJarsChecksumIgnoresItsManifestAndPropertiesDates() throws Exception {
        Path a = jar(work.resolve("a.jar"), "Manifest-Version: 1.0\nBuilt-By: alice\n", "#Mon Dec 01 10:00:00 UTC 2026\nversion=1\n");
        Path b = jar(work.resolve("b.jar"), "Manifest-Version: 1.0\nBuilt-By: bob\n", "#Tue Dec 02 11:00:00 UTC 2026\nversion=1\n");
        Path c = jar(work.resolve("c.jar"), "Manifest-Version: 1.0\n", "version=2\n");
        assertEquals(UpdaterChecksum.of("jars/x.jar", a), UpdaterChecksum.of("jars/x.jar", b));
        assertFalse(UpdaterChecksum.of("jars/x.jar", a).equals(UpdaterChecksum.of("jars/x.jar", c)));
    }

    private static Path pluginJar(Path file) throws Exception {
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(file))) {
            jar.putNextEntry(new JarEntry("plugins.config"));
            jar.write(Files.readAllBytes(Path.of("plugins.config")));
            jar.closeEntry();
        }
        return file;
    }

    private static Path jar(Path file, String manifest, String properties) throws Exception {
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(file))) {
            jar.putNextEntry(new JarEntry("META-INF/MANIFEST.MF"));
            jar.write(manifest.getBytes());
            jar.putNextEntry(new JarEntry("META-INF/maven/pom.properties"));
            jar.write(properties.getBytes());
            jar.putNextEntry(new JarEntry("a/B.class"));
            jar.write(new byte[]{1, 2, 3});
            jar.closeEntry();
        }
        return file;
    }
}
