package diffusionj.text;

import diffusionj.io.Checkpoint;
import diffusionj.io.Component;
import diffusionj.unet.SizeConditioning;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a model family feeds its UNet besides the latent: the prompt's cross-attention context and the family's added
 * inputs (SDXL: the pooled text vector and the image sizes). The pipeline asks this object and never the family.
 */
public interface TextConditioning {

    /** One text's conditioning: context [1, 77·chunks, width] and, where the family pools, [1, pooledDim] (else null). */
    record Encoded(INDArray context, INDArray pooled) {
        /** The same shapes, all zeros (SDXL's empty negative prompt). */
        public Encoded zeros() {
            return new Encoded(context.like().assign(0), pooled == null ? null : pooled.like().assign(0));
        }
    }

    /** The conditioning of the family of {@code checkpoint}. */
    static TextConditioning load(Checkpoint checkpoint) {
        ClipTokenizer tokenizer = ClipTokenizer.load(checkpoint.tokenizerDir());
        return switch (checkpoint.family()) {
            case SD1, SD2 -> new ClipConditioning(new PromptEncoder(tokenizer, ClipTextEncoder.load(checkpoint)));
            case SDXL -> new SdxlConditioning(new PromptEncoder(tokenizer, ClipTextEncoder.load(checkpoint, Component.TEXT_ENCODER)),
                    new PromptEncoder(tokenizer.withPad(0), ClipTextEncoder.load(checkpoint, Component.TEXT_ENCODER_2)));
        };
    }

    /** @param chunks the number of 77-token chunks (prompt and negative prompt must align for guidance) */
    Encoded encode(String text, int clipSkip, int chunks, Embeddings embeddings);

    /**
     * diffusers' {@code encode_prompt} for {@code texts}, each tokenised to its 77 context ids with no prompt syntax:
     * context [n, 77, width] and pooled [n, pooledDim] (null where the family pools nothing).
     */
    Encoded encodeLiteral(List<String> texts);

    /** Whether an empty text is conditioned on zeros instead of its encoding (SDXL's negative prompt). */
    boolean zerosForEmptyText();

    /** The UNet's added inputs for {@code pooled} [rows, pooledDim] (or null) at image size {@code width}×{@code height}. */
    Map<String, INDArray> addedInputs(INDArray pooled, SizeConditioning sizes, int width, int height);

    /** The first text tower: tokenizer, token counts, token maps, LoRA. */
    PromptEncoder first();

    /** Every text tower, in order (LoRA, memory phases). */
    List<PromptEncoder> towers();

    /** The largest CLIP skip this conditioning accepts. */
    int maxClipSkip();

    default int chunkCount(String text, Embeddings embeddings) {
        return first().chunkCount(text, embeddings);
    }

    /** The embeddings in {@code folders}, each with vectors for every tower. */
    default Embeddings embeddingsIn(List<Path> folders) {
        return Embeddings.in(folders, first().tokenizer(), towers().stream().mapToLong(t -> t.encoder().config().width()).toArray());
    }

    /** Each tower's weights read in place leave memory until next used (see {@link ClipTextEncoder#releaseWeightPages}). */
    default void releaseWeightPages() {
        towers().forEach(PromptEncoder::releaseWeightPages);
    }
}
