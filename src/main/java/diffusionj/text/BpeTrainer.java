package diffusionj.text;

import com.google.gson.Gson;
import diffusionj.io.CheckpointException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;

/**
 * Learns a CLIP-style byte-level BPE vocabulary from captions, for a text encoder trained from scratch
 * (the embedded model): words are split and cleaned exactly as {@link ClipTokenizer} splits them, and the
 * most frequent adjacent pair (weighted by word count; ties by the pair's text, so the result is
 * deterministic) is merged until every word is one token or {@code maxMerges} is reached. The result is
 * written as {@code vocab.json} + {@code merges.txt} in CLIP's layout — the 256 byte symbols, the same with
 * {@code </w>}, the merges in order, then the two special tokens — which {@link ClipTokenizer#load} reads.
 */
public final class BpeTrainer {
    private static final String END_OF_WORD = "</w>";

    private BpeTrainer() {
    }

    /** The merges learned from {@code captions}, in order, as "left right". */
    public static List<String> learn(List<String> captions, int maxMerges) {
        Map<List<String>, Integer> words = new HashMap<>();
        for (String caption : captions) {
            Matcher m = ClipTokenizer.PIECES.matcher(ClipTextCleaner.clean(caption));
            while (m.find()) {
                words.merge(symbols(ByteLevelAlphabet.encode(m.group())), 1, Integer::sum);
            }
        }
        List<String> merges = new ArrayList<>();
        while (merges.size() < maxMerges) {
            TreeMap<String, Integer> pairs = new TreeMap<>();
            words.forEach((w, n) -> {
                for (int i = 0; i < w.size() - 1; i++) {
                    pairs.merge(w.get(i) + " " + w.get(i + 1), n, Integer::sum);
                }
            });
            if (pairs.isEmpty()) {
                break;
            }
            String best = pairs.firstKey();
            for (Map.Entry<String, Integer> e : pairs.entrySet()) {
                if (e.getValue() > pairs.get(best)) {
                    best = e.getKey();
                }
            }
            merges.add(best);
            words = mergeEverywhere(words, best.substring(0, best.indexOf(' ')), best.substring(best.indexOf(' ') + 1));
        }
        return merges;
    }

    private static List<String> symbols(String word) {
        List<String> s = new ArrayList<>();
        for (int i = 0; i < word.length(); i++) {
            s.add(i == word.length() - 1 ? word.charAt(i) + END_OF_WORD : String.valueOf(word.charAt(i)));
        }
        return s;
    }

    private static Map<List<String>, Integer> mergeEverywhere(Map<List<String>, Integer> words, String left, String right) {
        Map<List<String>, Integer> out = new HashMap<>();
        words.forEach((w, n) -> out.merge(BytePairMerges.mergeAll(w, left, right), n, Integer::sum));
        return out;
    }

    /** Writes {@code vocab.json} and {@code merges.txt} for {@code merges} into {@code dir}. */
    public static void write(List<String> merges, Path dir) {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int b = 0; b < 256; b++) {
            vocab.put(ByteLevelAlphabet.encode(new byte[]{(byte) b}), vocab.size());
        }
        for (int b = 0; b < 256; b++) {
            vocab.put(ByteLevelAlphabet.encode(new byte[]{(byte) b}) + END_OF_WORD, vocab.size());
        }
        for (String merge : merges) {
            vocab.putIfAbsent(merge.replace(" ", ""), vocab.size());
        }
        vocab.put("<|startoftext|>", vocab.size());
        vocab.put("<|endoftext|>", vocab.size());
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("vocab.json"), new Gson().toJson(vocab), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\n" + String.join("\n", merges) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CheckpointException("cannot write the vocabulary to " + dir + ": " + e.getMessage(), e);
        }
    }
}
