package diffusionj.attention;

import diffusionj.text.ClipTokenizer;
import diffusionj.text.Embeddings;
import diffusionj.text.PromptChunks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The prompt's tokens with their positions among the text embedding's keys (chunk c, token j → 77·c + j),
 * and the words they form: consecutive tokens up to one that ends a word, words of the same text merged
 * (DAAM averages every occurrence), words without a letter or digit left out. A textual-inversion embedding's
 * vectors are tokens that together form one word, its name.
 */
public record PromptTokens(List<Token> tokens, List<Word> words) {
    /** @param endsWord whether a word ends with this token */
    public record Token(int id, String text, int key, boolean endsWord) {
    }

    public record Word(String text, int[] keys) {
    }

    public static PromptTokens of(String prompt, ClipTokenizer tokenizer) {
        return of(prompt, tokenizer, Embeddings.NONE);
    }

    public static PromptTokens of(String prompt, ClipTokenizer tokenizer, Embeddings embeddings) {
        List<Token> tokens = new ArrayList<>();
        List<PromptChunks.Chunk> chunks = PromptChunks.of(prompt, tokenizer, embeddings).chunks();
        for (int c = 0; c < chunks.size(); c++) {
            long[] ids = chunks.get(c).ids();
            Map<Integer, PromptChunks.Placed> placed = new java.util.HashMap<>();
            for (PromptChunks.Placed p : chunks.get(c).embeddings()) {
                for (int i = 0; i < p.embedding().count(); i++) {
                    placed.put(p.first() + i, p);
                }
            }
            for (int j = 1; j < ids.length && ids[j] != tokenizer.eos(); j++) {
                int id = (int) ids[j];
                int key = c * ClipTokenizer.CONTEXT_LENGTH + j;
                PromptChunks.Placed p = placed.get(j);
                if (p == null) {
                    tokens.add(new Token(id, tokenizer.tokenText(id), key, tokenizer.endsWord(id)));
                } else {
                    int last = p.first() + p.embedding().count() - 1;
                    tokens.add(new Token(id, j == p.first() ? p.embedding().name() : "", key, j == last));
                }
            }
        }
        return new PromptTokens(tokens, words(tokens));
    }

    private static List<Word> words(List<Token> tokens) {
        Map<String, List<Integer>> keysByWord = new LinkedHashMap<>();
        StringBuilder text = new StringBuilder();
        List<Integer> keys = new ArrayList<>();
        for (Token t : tokens) {
            text.append(t.text());
            keys.add(t.key());
            if (t.endsWord()) {
                if (text.codePoints().anyMatch(Character::isLetterOrDigit)) {
                    keysByWord.computeIfAbsent(text.toString(), k -> new ArrayList<>()).addAll(keys);
                }
                text.setLength(0);
                keys.clear();
            }
        }
        List<Word> words = new ArrayList<>();
        keysByWord.forEach((w, k) -> words.add(new Word(w, k.stream().mapToInt(Integer::intValue).toArray())));
        return words;
    }

    /** Key positions in DAAM's indexing: BOS, every prompt token, and the EOS after the last one. */
    public int[] daamKeys() {
        int[] keys = new int[tokens.size() + 2];
        for (int i = 0; i < tokens.size(); i++) {
            keys[i + 1] = tokens.get(i).key();
        }
        keys[keys.length - 1] = tokens.isEmpty() ? 1 : tokens.get(tokens.size() - 1).key() + 1;
        return keys;
    }
}
