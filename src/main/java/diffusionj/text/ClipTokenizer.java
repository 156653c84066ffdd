package diffusionj.text;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import diffusionj.io.CheckpointException;
import diffusionj.io.JsonFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CLIP's tokenizer: cleaned text is split by CLIP's pattern (letters, single digits, punctuation runs,
 * English contractions), each piece is byte-level encoded and merged by BPE, with {@code </w>} marking
 * the end of a word. Read from a Hugging Face tokenizer folder ({@code vocab.json}, {@code merges.txt},
 * {@code tokenizer_config.json} for the padding token).
 */
public final class ClipTokenizer {
    /** Positions of the text tower: BOS, 75 prompt tokens, EOS. */
    public static final int CONTEXT_LENGTH = 77;
    public static final int CHUNK_TOKENS = CONTEXT_LENGTH - 2;

    private static final String END_OF_WORD = "</w>";
    private static final Pattern PIECES = Pattern.compile(
            "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS);
    private static final int CACHE_LIMIT = 50_000;

    private final Map<String, Integer> vocab;
    private final String[] idToToken;
    private final Map<String, Integer> mergeRanks;
    private final int bos;
    private final int eos;
    private final int pad;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    private ClipTokenizer(Map<String, Integer> vocab, Map<String, Integer> mergeRanks, String padToken, Path dir) {
        this.vocab = vocab;
        this.mergeRanks = mergeRanks;
        this.idToToken = new String[vocab.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1];
        vocab.forEach((token, id) -> idToToken[id] = token);
        this.bos = required(dir, "<|startoftext|>");
        this.eos = required(dir, "<|endoftext|>");
        this.pad = required(dir, padToken);
    }

    public static ClipTokenizer load(Path dir) {
        Map<String, Integer> vocab = new HashMap<>();
        for (Map.Entry<String, JsonElement> e : JsonFiles.readObject(dir.resolve("vocab.json")).entrySet()) {
            vocab.put(e.getKey(), e.getValue().getAsInt());
        }
        return new ClipTokenizer(vocab, readMerges(dir.resolve("merges.txt")), padToken(dir), dir);
    }

    /** One merge per line after the "#version" header; the line number is the merge's priority. */
    private static Map<String, Integer> readMerges(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
        }
        Map<String, Integer> ranks = new HashMap<>();
        for (String line : lines) {
            if (line.startsWith("#version") || line.isBlank()) {
                continue;
            }
            String[] pair = line.split(" ");
            if (pair.length != 2) {
                throw new CheckpointException(file + ": line '" + line + "' is not a BPE merge of two symbols");
            }
            ranks.putIfAbsent(pair[0] + " " + pair[1], ranks.size());
        }
        return ranks;
    }

    /** SD 1.x pads with {@code <|endoftext|>}, SD 2.x with "!" (id 0): the folder's config says which. */
    private static String padToken(Path dir) {
        for (String name : new String[]{"tokenizer_config.json", "special_tokens_map.json"}) {
            Path f = dir.resolve(name);
            if (Files.isRegularFile(f)) {
                JsonObject config = JsonFiles.readObject(f);
                JsonElement pad = config.get("pad_token");
                if (pad != null && !pad.isJsonNull()) {
                    return pad.isJsonObject() ? pad.getAsJsonObject().get("content").getAsString() : pad.getAsString();
                }
            }
        }
        return "<|endoftext|>";
    }

    private int required(Path dir, String token) {
        Integer id = vocab.get(token);
        if (id == null) {
            throw new CheckpointException(dir.resolve("vocab.json") + " has no token '" + token + "'; is this a CLIP tokenizer?");
        }
        return id;
    }

    /** BPE ids of the prompt, no BOS/EOS, any length. */
    public int[] encode(String text) {
        List<int[]> parts = new ArrayList<>();
        int total = 0;
        Matcher m = PIECES.matcher(ClipTextCleaner.clean(text));
        while (m.find()) {
            int[] ids = cache.computeIfAbsent(m.group(), this::encodePiece);
            parts.add(ids);
            total += ids.length;
        }
        if (cache.size() > CACHE_LIMIT) {
            cache.clear();
        }
        int[] out = new int[total];
        int at = 0;
        for (int[] ids : parts) {
            System.arraycopy(ids, 0, out, at, ids.length);
            at += ids.length;
        }
        return out;
    }

    private int[] encodePiece(String piece) {
        if (piece.equals("<|startoftext|>") || piece.equals("<|endoftext|>")) {
            return new int[]{vocab.get(piece)};
        }
        List<String> symbols = bpe(ByteLevelAlphabet.encode(piece));
        int[] ids = new int[symbols.size()];
        for (int i = 0; i < ids.length; i++) {
            Integer id = vocab.get(symbols.get(i));
            if (id == null) {
                throw new IllegalStateException("BPE produced '" + symbols.get(i) + "', which is not in the vocabulary");
            }
            ids[i] = id;
        }
        return ids;
    }

    /** Repeatedly merge the adjacent pair with the lowest rank, as CLIP's reference BPE does. */
    List<String> bpe(String word) {
        List<String> symbols = new ArrayList<>(word.length());
        for (int i = 0; i < word.length() - 1; i++) {
            symbols.add(String.valueOf(word.charAt(i)));
        }
        symbols.add(word.charAt(word.length() - 1) + END_OF_WORD);
        while (symbols.size() > 1) {
            int best = -1;
            int bestRank = Integer.MAX_VALUE;
            for (int i = 0; i < symbols.size() - 1; i++) {
                Integer rank = mergeRanks.get(symbols.get(i) + " " + symbols.get(i + 1));
                if (rank != null && rank < bestRank) {
                    bestRank = rank;
                    best = i;
                }
            }
            if (best < 0) {
                break;
            }
            symbols = mergeAll(symbols, symbols.get(best), symbols.get(best + 1));
        }
        return symbols;
    }

    /** Merges every non-overlapping occurrence of (first, second), left to right. */
    private static List<String> mergeAll(List<String> symbols, String first, String second) {
        List<String> merged = new ArrayList<>(symbols.size());
        for (int i = 0; i < symbols.size(); i++) {
            if (i < symbols.size() - 1 && symbols.get(i).equals(first) && symbols.get(i + 1).equals(second)) {
                merged.add(first + second);
                i++;
            } else {
                merged.add(symbols.get(i));
            }
        }
        return merged;
    }

    /**
     * The text tower's input for one chunk: BOS, the first 75 ids, EOS, then padding to 77.
     */
    public long[] contextIds(int[] bpe) {
        long[] ids = new long[CONTEXT_LENGTH];
        Arrays.fill(ids, pad);
        int n = Math.min(bpe.length, CHUNK_TOKENS);
        ids[0] = bos;
        for (int i = 0; i < n; i++) {
            ids[i + 1] = bpe[i];
        }
        ids[n + 1] = eos;
        return ids;
    }

    /** Readable text of one token: byte-decoded, without the end-of-word mark. */
    public String tokenText(int id) {
        String token = id >= 0 && id < idToToken.length ? idToToken[id] : null;
        if (token == null) {
            return "<" + id + ">";
        }
        return ByteLevelAlphabet.decode(token.replace(END_OF_WORD, ""));
    }

    /** True when the token closes a word (it carries {@code </w>}). */
    public boolean endsWord(int id) {
        return id >= 0 && id < idToToken.length && idToToken[id] != null && idToToken[id].endsWith(END_OF_WORD);
    }

    public int bos() {
        return bos;
    }

    public int eos() {
        return eos;
    }

    public int pad() {
        return pad;
    }
}
