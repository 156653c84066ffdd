package diffusionj.text;

import diffusionj.io.CheckpointException;
import diffusionj.io.FileHashes;
import diffusionj.io.Safetensors;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A textual-inversion embedding: {@code n} learned vectors of the text tower's token width that stand where its
 * name is written in a prompt. Read from the web UI's safetensors form (one tensor {@code emb_params}
 * [n, width]) or diffusers' (one tensor named after its token, [width] or [n, width]); {@code .pt}/{@code .bin}
 * embeddings are pickles and refused as checkpoints are.
 */
public record TextualInversion(String name, Path file, INDArray vectors) {
    public int count() {
        return (int) vectors.size(0);
    }

    public static TextualInversion read(String name, Path file, long width) {
        try (Safetensors st = Safetensors.open(file)) {
            List<String> keys = new ArrayList<>();
            st.names().forEach(keys::add);
            String key = keys.contains("emb_params") ? "emb_params" : keys.size() == 1 ? keys.get(0) : null;
            if (key == null) {
                throw new CheckpointException(file + " is not a textual-inversion embedding: expected one tensor 'emb_params' [vectors, "
                        + width + "] (or a single tensor named after its token), found " + keys
                        + (keys.contains("clip_l") ? " (an SDXL embedding, for SDXL models)" : ""));
            }
            INDArray v = st.load(key);
            INDArray vectors = v.rank() == 1 ? v.reshape(1, v.length()) : v;
            if (vectors.rank() != 2 || vectors.size(1) != width) {
                throw new CheckpointException(file + ", tensor '" + key + "': expected shape [vectors, " + width + "] for this model's text encoder,"
                        + " found " + java.util.Arrays.toString(v.shape()) + (vectors.rank() == 2 ? " (an embedding for another base model)" : ""));
            }
            if (vectors.size(0) < 1 || vectors.size(0) > ClipTokenizer.CHUNK_TOKENS) {
                throw new CheckpointException(file + ": " + vectors.size(0) + " vectors; an embedding has 1 to " + ClipTokenizer.CHUNK_TOKENS);
            }
            return new TextualInversion(name, file, vectors);
        }
    }

    /** The web UI's short hash ("TI hashes" in the parameters text): the first 12 hex digits of the file's SHA-256. */
    public String shortHash() {
        return FileHashes.sha256(file).substring(0, 12);
    }
}
