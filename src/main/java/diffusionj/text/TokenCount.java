package diffusionj.text;

/**
 * How much of the text tower a prompt uses, counted as the web UIs count it from the same chunking the
 * encoder will see: every closed 75-token chunk counts 75, the last its own tokens.
 */
public record TokenCount(int tokens, int chunks) {

    public static TokenCount of(String prompt, ClipTokenizer tokenizer) {
        return of(prompt, tokenizer, Embeddings.NONE);
    }

    /** An embedding's name counts as its vectors, as it takes their places. */
    public static TokenCount of(String prompt, ClipTokenizer tokenizer, Embeddings embeddings) {
        PromptChunks c = PromptChunks.of(prompt, tokenizer, embeddings);
        return new TokenCount(c.tokenCount(), c.chunks().size());
    }

    /** The room the prompt has before another chunk starts: 75 per chunk. */
    public int limit() {
        return chunks * ClipTokenizer.CHUNK_TOKENS;
    }

    /** "tokens/limit (chunks)", e.g. "12/75 (1)" or "80/150 (2)". */
    public String format() {
        return tokens + "/" + limit() + " (" + chunks + ")";
    }
}
