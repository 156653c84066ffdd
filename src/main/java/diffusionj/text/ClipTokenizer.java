package diffusionj.text;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import diffusionj.io.CheckpointException;
import diffusionj.io.JsonFiles;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
    static final Pattern PIECES = Pattern.compile(
            "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS);
    private static final int CACHE_LIMIT = 50_000;

    private final Map<String, Integer> vocab;
    private final String[] idToToken;
    private final BytePairMerges merges;
    private final int bos;
    private final int eos;
    private final int pad;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    private ClipTokenizer(Map<String, Integer> vocab, BytePairMerges merges, String padToken, Path dir) {
        this.vocab = vocab;
        this.merges = merges;
        this.idToToken = new String[vocab.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1];
        vocab.forEach((token, id) -> idToToken[id] = token);
        this.bos = required(dir, "<|startoftext|>");
        this.eos = required(dir, "<|endoftext|>");
        this.pad = required(dir, padToken);
    }

    /** Each text's 77 context ids with no prompt syntax (what diffusers' pipelines feed a text tower), [texts][77]. */
    public long[][] contextIds(java.util.List<String> texts) {
        return texts.stream().map(t -> contextIds(encode(t))).toArray(long[][]::new);
    }

    /** The same vocabulary padding with {@code padId}, sharing this tokenizer's tables. */
    private ClipTokenizer(ClipTokenizer other, int padId) {
        this.vocab = other.vocab;
        this.merges = other.merges;
        this.idToToken = other.idToToken;
        this.bos = other.bos;
        this.eos = other.eos;
        this.pad = padId;
    }

    /**
     * This vocabulary padding with {@code padId}: SDXL's second tower pads with "!" (id 0) whatever the tokenizer
     * folder next to a single file says, as SGM and the web UIs do.
     */
    public ClipTokenizer withPad(int padId) {
        return padId == pad ? this : new ClipTokenizer(this, padId);
    }

    public static ClipTokenizer load(Path dir) {
        return new ClipTokenizer(JsonFiles.readIntegers(dir.resolve("vocab.json")), BytePairMerges.read(dir.resolve("merges.txt")), padToken(dir), dir);
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

    /** Single byte-symbols, the last marked as ending the word, merged as CLIP's reference BPE does. */
    List<String> bpe(String word) {
        List<String> symbols = new ArrayList<>(word.length());
        for (int i = 0; i < word.length() - 1; i++) {
            symbols.add(String.valueOf(word.charAt(i)));
        }
        symbols.add(word.charAt(word.length() - 1) + END_OF_WORD);
        return merges.apply(symbols);
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

    /** A whole word of the vocabulary and the rank of the merge that made it (lower: learned earlier, more frequent). */
    public record VocabularyWord(String word, int rank) {
    }

    /**
     * The vocabulary's whole words (tokens that end a word and hold only letters), most frequent first by
     * merge rank; each is a single token when typed as a word of its own.
     */
    public List<VocabularyWord> words() {
        List<VocabularyWord> words = new ArrayList<>();
        for (String token : idToToken) {
            if (token == null || !token.endsWith(END_OF_WORD) || token.length() <= END_OF_WORD.length() + 1) {
                continue;
            }
            String word = ByteLevelAlphabet.decode(token.substring(0, token.length() - END_OF_WORD.length()));
            int rank = merges.rankOfToken(token);
            if (rank >= 0 && word.chars().allMatch(Character::isLetter)) {
                words.add(new VocabularyWord(word, rank));
            }
        }
        words.sort(java.util.Comparator.comparingInt(VocabularyWord::rank));
        return words;
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
