package diffusionj.text;

import diffusionj.io.CheckpointException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The merge table of a byte-pair encoding ({@code merges.txt}: one "left right" pair per line, earlier lines
 * merged first) and the merge loop that GPT-2 and CLIP share: repeatedly join the adjacent pair of lowest
 * rank. The rank of a merge is also how early its token was learned, a proxy for how frequent it is.
 */
public final class BytePairMerges {
    private final Map<String, Integer> ranks;
    private final Map<String, Integer> tokenRanks = new HashMap<>();

    private BytePairMerges(Map<String, Integer> ranks) {
        this.ranks = ranks;
        ranks.forEach((pair, rank) -> tokenRanks.merge(pair.replace(" ", ""), rank, Math::min));
    }

    /** Reads {@code merges.txt}; the "#version" header and blank lines are skipped. */
    public static BytePairMerges read(Path file) {
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
        return new BytePairMerges(ranks);
    }

    /** The rank of the merge that makes {@code left + right}, or −1 when there is none. */
    public int rank(String left, String right) {
        Integer r = ranks.get(left + " " + right);
        return r == null ? -1 : r;
    }

    /** The rank of the first merge that makes {@code token}, or −1 for a base symbol. */
    public int rankOfToken(String token) {
        return tokenRanks.getOrDefault(token, -1);
    }

    /** The symbols left when no adjacent pair of {@code symbols} has a merge any more. */
    public List<String> apply(List<String> symbols) {
        while (symbols.size() > 1) {
            int best = -1;
            int bestRank = Integer.MAX_VALUE;
            for (int i = 0; i < symbols.size() - 1; i++) {
                Integer rank = ranks.get(symbols.get(i) + " " + symbols.get(i + 1));
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
    static List<String> mergeAll(List<String> symbols, String first, String second) {
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
}
