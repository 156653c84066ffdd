package diffusionj.lm;

import diffusionj.io.CheckpointException;
import diffusionj.io.JsonFiles;
import diffusionj.text.ByteLevelAlphabet;
import diffusionj.text.BytePairMerges;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GPT-2's tokenizer read from a model folder's {@code vocab.json} and {@code merges.txt}: the text is split
 * by GPT-2's pattern (contractions, a letter run, a digit run or a punctuation run, each with its leading
 * space; whitespace), each piece is byte-level encoded and merged by BPE. Unlike CLIP there is no
 * end-of-word mark and no lower-casing: the space belongs to the following word ("Ġcat").
 */
final class BpeFilesTokenizer implements Gpt2Tokenizer {
    private static final Pattern PIECES = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");

    private final Map<String, Integer> vocab;
    private final String[] idToToken;
    private final BytePairMerges merges;
    private final int endOfText;

    private BpeFilesTokenizer(Map<String, Integer> vocab, BytePairMerges merges, Path folder) {
        this.vocab = vocab;
        this.merges = merges;
        this.idToToken = new String[vocab.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1];
        vocab.forEach((token, id) -> idToToken[id] = token);
        Integer eot = vocab.get("<|endoftext|>");
        if (eot == null) {
            throw new CheckpointException(folder.resolve("vocab.json") + " has no token '<|endoftext|>'; is this a GPT-2 tokenizer?");
        }
        this.endOfText = eot;
    }

    static BpeFilesTokenizer load(Path folder) {
        return new BpeFilesTokenizer(JsonFiles.readIntegers(folder.resolve("vocab.json")),
                BytePairMerges.read(folder.resolve("merges.txt")), folder);
    }

    @Override
    public long[] encode(String text) {
        List<Long> ids = new ArrayList<>();
        Matcher m = PIECES.matcher(text);
        while (m.find()) {
            String piece = ByteLevelAlphabet.encode(m.group());
            List<String> symbols = new ArrayList<>(piece.length());
            piece.codePoints().forEach(c -> symbols.add(Character.toString(c)));
            for (String symbol : merges.apply(symbols)) {
                Integer id = vocab.get(symbol);
                if (id == null) {
                    throw new IllegalStateException("BPE produced '" + symbol + "', which is not in the vocabulary");
                }
                ids.add((long) id);
            }
        }
        return ids.stream().mapToLong(Long::longValue).toArray();
    }

    @Override
    public String decode(long[] ids) {
        StringBuilder symbols = new StringBuilder();
        for (long id : ids) {
            String token = id >= 0 && id < idToToken.length ? idToToken[(int) id] : null;
            symbols.append(token == null ? "" : token);
        }
        return ByteLevelAlphabet.decode(symbols.toString());
    }

    @Override
    public int endOfText() {
        return endOfText;
    }
}
