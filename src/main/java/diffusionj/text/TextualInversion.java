package diffusionj.text;

import diffusionj.io.CheckpointException;
import diffusionj.io.FileHashes;
import diffusionj.io.Safetensors;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A textual-inversion embedding: {@code n} learned vectors per text tower, of that tower's token width, that stand
 * where its name is written in a prompt. Read from the web UI's safetensors form (one tensor {@code emb_params}
 * [n, width]), diffusers' (one tensor named after its token, [width] or [n, width]) or SDXL's ({@code clip_l} for
 * the first tower, {@code clip_g} for the second); {@code .pt}/{@code .bin} embeddings are pickles and refused as
 * checkpoints are.
 */
public record TextualInversion(String name, Path file, List<INDArray> towers) {
    /** SDXL embeddings' tensors, in tower order. */
    private static final List<String> SDXL_KEYS = List.of("clip_l", "clip_g");

    public int count() {
        return (int) towers.get(0).size(0);
    }

    /** The vectors of a single-tower model (SD 1.x/2.x), [n, width]. */
    public INDArray vectors() {
        return towers.get(0);
    }

    /** The vectors for text tower {@code tower} (0, or 1 for SDXL's second), [n, width]. */
    public INDArray vectors(int tower) {
        return towers.get(tower);
    }

    /** @param widths the token width of each of the model's text towers */
    public static TextualInversion read(String name, Path file, long... widths) {
        try (Safetensors st = Safetensors.open(file)) {
            List<String> keys = new ArrayList<>(st.names());
            List<String> wanted = widths.length == 2 ? SDXL_KEYS
                    : keys.contains("emb_params") ? List.of("emb_params") : keys.size() == 1 ? List.of(keys.get(0)) : List.of();
            if (wanted.isEmpty() || !keys.containsAll(wanted) || (widths.length == 1 && keys.containsAll(SDXL_KEYS))) {
                throw new CheckpointException(file + " is not a textual-inversion embedding for this model: expected "
                        + (widths.length == 2 ? "tensors 'clip_l' and 'clip_g' (an SDXL embedding)"
                        : "one tensor 'emb_params' [vectors, " + widths[0] + "] (or a single tensor named after its token)")
                        + ", found " + keys + (widths.length == 1 && keys.contains("clip_l") ? " (an SDXL embedding, for SDXL models)"
                        : widths.length == 2 && !keys.contains("clip_l") ? " (an SD 1.x/2.x embedding)" : ""));
            }
            List<INDArray> towers = new ArrayList<>();
            for (int i = 0; i < widths.length; i++) {
                towers.add(vectors(file, wanted.get(i), st.load(wanted.get(i)), widths[i]));
            }
            if (towers.stream().mapToLong(t -> t.size(0)).distinct().count() != 1) {
                throw new CheckpointException(file + ": 'clip_l' and 'clip_g' hold different numbers of vectors");
            }
            return new TextualInversion(name, file, List.copyOf(towers));
        }
    }

    private static INDArray vectors(Path file, String key, INDArray v, long width) {
        INDArray vectors = v.rank() == 1 ? v.reshape(1, v.length()) : v;
        if (vectors.rank() != 2 || vectors.size(1) != width) {
            throw new CheckpointException(file + ", tensor '" + key + "': expected shape [vectors, " + width + "] for this model's text encoder,"
                    + " found " + java.util.Arrays.toString(v.shape()) + (vectors.rank() == 2 ? " (an embedding for another base model)" : ""));
        }
        if (vectors.size(0) < 1 || vectors.size(0) > ClipTokenizer.CHUNK_TOKENS) {
            throw new CheckpointException(file + ": " + vectors.size(0) + " vectors; an embedding has 1 to " + ClipTokenizer.CHUNK_TOKENS);
        }
        return vectors;
    }

    /** The web UI's short hash ("TI hashes" in the parameters text): the first 12 hex digits of the file's SHA-256. */
    public String shortHash() {
        return FileHashes.sha256(file).substring(0, 12);
    }
}
