package diffusionj.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Where LoRAs and textual-inversion embeddings are looked up by name: the folders the user gave, searched with
 * their subfolders, as the web UIs do. A name is a file name without {@code .safetensors}.
 */
public record ExtraNetworkFolders(List<Path> loras, List<Path> embeddings) {
    public static final ExtraNetworkFolders NONE = new ExtraNetworkFolders(List.of(), List.of());

    public ExtraNetworkFolders {
        loras = List.copyOf(loras);
        embeddings = List.copyOf(embeddings);
    }

    /**
     * The web UI's folders beside a checkpoint, those that exist: {@code Lora/} and {@code embeddings/} next to it,
     * and as its {@code models/} tree lays them out ({@code models/Stable-diffusion/x.safetensors},
     * {@code models/Lora/}, {@code embeddings/} at the top).
     */
    public static ExtraNetworkFolders beside(Path checkpoint) {
        Path dir = checkpoint.toAbsolutePath().getParent();
        if (dir == null) {
            return NONE;
        }
        List<Path> loras = new ArrayList<>();
        List<Path> embeddings = new ArrayList<>();
        for (Path d = dir; d != null && d.getNameCount() >= dir.getNameCount() - 2; d = d.getParent()) {
            existing(d.resolve("Lora"), loras);
            existing(d.resolve("embeddings"), embeddings);
        }
        return new ExtraNetworkFolders(loras, embeddings);
    }

    private static void existing(Path dir, List<Path> into) {
        if (Files.isDirectory(dir)) {
            into.add(dir);
        }
    }

    /** Several folders in one text field or macro option, separated as in a PATH (':' here, ';' on Windows). */
    public static List<Path> split(String joined) {
        List<Path> out = new ArrayList<>();
        for (String p : joined.split(java.util.regex.Pattern.quote(java.io.File.pathSeparator))) {
            if (!p.isBlank()) {
                out.add(Path.of(p.strip()));
            }
        }
        return out;
    }

    public static String join(List<Path> folders) {
        return String.join(java.io.File.pathSeparator, folders.stream().map(Path::toString).toList());
    }

    /** These folders, then {@code more}'s not already among them. */
    public ExtraNetworkFolders with(ExtraNetworkFolders more) {
        List<Path> l = new ArrayList<>(loras);
        more.loras.stream().filter(p -> !l.contains(p)).forEach(l::add);
        List<Path> e = new ArrayList<>(embeddings);
        more.embeddings.stream().filter(p -> !e.contains(p)).forEach(e::add);
        return new ExtraNetworkFolders(l, e);
    }

    /** Every {@code .safetensors} file in {@code folders}, by name (the first folder wins a name found twice). */
    public static TreeMap<String, Path> list(List<Path> folders) {
        return list(folders, ".safetensors");
    }

    /** Every file in {@code folders} whose name ends in one of {@code suffixes}, by name without it; earlier suffixes win a name. */
    public static TreeMap<String, Path> list(List<Path> folders, String... suffixes) {
        TreeMap<String, Path> out = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String suffix : suffixes) {
            for (Path folder : folders) {
                for (Path f : files(folder)) {
                    String n = f.getFileName().toString();
                    if (n.toLowerCase(Locale.ROOT).endsWith(suffix)) {
                        out.putIfAbsent(n.substring(0, n.length() - suffix.length()), f);
                    }
                }
            }
        }
        return out;
    }

    /**
     * The file named {@code name} in {@code folders}; a pickle of that name ({@code .pt}, {@code .ckpt}, {@code .bin})
     * is refused as checkpoints are, and no file at all is an error naming the folders searched.
     */
    public static Path find(String kind, String name, List<Path> folders) {
        Path found = list(folders).get(name);
        if (found != null) {
            return found;
        }
        for (Path folder : folders) {
            for (Path f : files(folder)) {
                String n = f.getFileName().toString();
                if (n.contains(".") && n.substring(0, n.lastIndexOf('.')).equalsIgnoreCase(name)) {
                    PickleGuard.refuseByName(f);
                }
            }
        }
        throw new CheckpointException("no " + kind + " named '" + name + "' (" + name + ".safetensors) in "
                + (folders.isEmpty() ? "any folder: none is set" : folders.toString())
                + "; give its folder with --" + (kind.equals("LoRA") ? "lora-dir" : "embeddings-dir") + " or in Plugins › DiffusionJ › Model Manager…");
    }

    private static List<Path> files(Path folder) {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(folder, 8)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new CheckpointException("cannot list " + folder + ": " + e.getMessage(), e);
        }
    }
}
