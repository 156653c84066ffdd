package diffusionj.text;

import diffusionj.io.ExtraNetworkFolders;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The textual-inversion embeddings a prompt may use, found by name: where the BPE ids of an embedding's name occur in
 * a prompt's ids, the embedding stands instead (the longest name wins where names share a start), as the web UI's
 * {@code EmbeddingDatabase.find_embedding_at_position} reads them. Vectors are read when a prompt first uses them.
 */
public final class Embeddings {
    public static final Embeddings NONE = new Embeddings(Map.of(), null);

    private record Named(String name, Path file, int[] ids) {
    }

    /** A name found in a prompt: the embedding and how many of the prompt's ids its name took. */
    public record Match(TextualInversion embedding, int nameLength) {
    }

    private final Map<Integer, List<Named>> byFirstId = new HashMap<>();
    private final Map<String, TextualInversion> loaded = new HashMap<>();
    private final long[] widths;

    private Embeddings(Map<String, Path> files, ClipTokenizer tokenizer, long... widths) {
        this.widths = widths;
        files.forEach((name, file) -> {
            int[] ids = tokenizer.encode(name);
            if (ids.length > 0) {
                byFirstId.computeIfAbsent(ids[0], k -> new ArrayList<>()).add(new Named(name, file, ids));
            }
        });
        byFirstId.values().forEach(l -> l.sort(Comparator.comparingInt((Named n) -> n.ids().length).reversed()));
    }

    /**
     * Every embedding in {@code folders}, for text towers of token widths {@code widths} (one per tower). Pickled ones
     * ({@code .pt}, {@code .bin}) are known by name too, so that a prompt using one is refused with the reason, not
     * read as words.
     */
    public static Embeddings in(List<Path> folders, ClipTokenizer tokenizer, long... widths) {
        return folders.isEmpty() ? NONE : new Embeddings(ExtraNetworkFolders.list(folders, ".safetensors", ".pt", ".bin"), tokenizer, widths);
    }

    /** The embedding whose name's ids start at {@code ids[position]}, or null. */
    public synchronized Match at(int[] ids, int position) {
        for (Named n : byFirstId.getOrDefault(ids[position], List.of())) {
            int end = position + n.ids().length;
            if (end <= ids.length && Arrays.equals(ids, position, end, n.ids(), 0, n.ids().length)) {
                TextualInversion e = loaded.computeIfAbsent(n.name(), k -> TextualInversion.read(n.name(), n.file(), widths));
                return new Match(e, n.ids().length);
            }
        }
        return null;
    }

    public boolean isEmpty() {
        return byFirstId.isEmpty();
    }
}
