package diffusionj.install;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * An ImageJ update site in a folder, as the ImageJ Updater reads it over HTTP: db.xml.gz lists every file with its
 * platform, checksum ({@link UpdaterChecksum}), timestamp, size and dependencies, and each file lies beside it as
 * {@code PATH-TIMESTAMP} (the Updater asks for {@code URL/plugins/DiffusionJ_.jar-20261202101500}). The plugin goes to
 * plugins/, Java libraries to jars/, each platform's native jars to jars/PLATFORM/ (Fiji's layout: linux64, linux-arm64,
 * win64, macos64, macos-arm64). Libraries Fiji ships are left out. The plugin depends on every platform-neutral jar; a
 * platform's natives are not dependencies (the Updater would then fetch every platform's) but files of their own, which
 * the Updater installs where their platform tag matches the installation, as it does for Fiji's own natives.
 */
public final class UpdateSite {
    /** One file of the site. */
    public record Entry(String path, String checksum, long size, Platform platform) {
    }

    public static final String DESCRIPTION = "DiffusionJ: Stable Diffusion, per-word attention maps and caption completion on the CPU";
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");

    private UpdateSite() {
    }

    /** Writes the site into {@code out}; returns its entries, the plugin first. */
    public static List<Entry> write(Path pluginJar, List<Library> libraries, Path out, LocalDateTime when) {
        String timestamp = TIMESTAMP.format(when);
        List<Entry> entries = new ArrayList<>();
        try {
            entries.add(copy(pluginJar, "plugins/DiffusionJ_.jar", null, out, timestamp));
            for (Library l : libraries) {
                if (!l.fijiShips()) {
                    String folder = l.platform().map(p -> "jars/" + p.updaterName + "/").orElse("jars/");
                    entries.add(copy(l.file(), folder + l.name(), l.platform().orElse(null), out, timestamp));
                }
            }
            writeDatabase(entries, out.resolve("db.xml.gz"), timestamp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the update site to " + out + ": " + e.getMessage(), e);
        }
        return entries;
    }

    private static Entry copy(Path file, String path, Platform platform, Path out, String timestamp) throws IOException {
        Path target = out.resolve(path + "-" + timestamp);
        Files.createDirectories(target.getParent());
        Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
        return new Entry(path, UpdaterChecksum.of(path, file), Files.size(file), platform);
    }

    private static void writeDatabase(List<Entry> entries, Path db, String timestamp) throws IOException {
        try (OutputStream file = Files.newOutputStream(db); Writer w = new java.io.OutputStreamWriter(new GZIPOutputStream(file), StandardCharsets.UTF_8)) {
            w.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<pluginRecords>\n");
            for (Entry e : entries) {
                w.write("    <plugin filename=\"" + xml(e.path()) + "\">\n");
                if (e.platform() != null) {
                    w.write("        <platform>" + e.platform().updaterName + "</platform>\n");
                }
                w.write("        <version checksum=\"" + e.checksum() + "\" filesize=\"" + e.size() + "\" timestamp=\"" + timestamp + "\">\n");
                if (e == entries.get(0)) {
                    w.write("            <description>" + xml(DESCRIPTION) + "</description>\n");
                    for (Entry d : entries.subList(1, entries.size()).stream().filter(d -> d.platform() == null).toList()) {
                        w.write("            <dependency filename=\"" + xml(d.path()) + "\" timestamp=\"" + timestamp + "\"/>\n");
                    }
                }
                w.write("        </version>\n    </plugin>\n");
            }
            w.write("</pluginRecords>\n");
        }
    }

    private static String xml(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
