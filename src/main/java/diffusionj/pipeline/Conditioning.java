package diffusionj.pipeline;

import diffusionj.text.Embeddings;
import diffusionj.text.PromptSchedule;
import diffusionj.text.TextConditioning;
import diffusionj.unet.SizeConditioning;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the UNet is conditioned on at each model call: the negative and the positive prompt's texts in force at
 * that call ({@link PromptSchedule}: prompt editing and alternation), each distinct text encoded once, all with the
 * same number of 77-token chunks so that the two halves of the guidance batch line up; plus the family's added
 * inputs ({@link TextConditioning#addedInputs}). Where the family asks for it (SDXL), an empty negative prompt is
 * zeros rather than the encoding of "" — as diffusers and the web UIs do, only when every text the negative prompt
 * schedules is empty.
 */
final class Conditioning {
    private final TextConditioning encoder;
    private final List<PromptSchedule.Entry> prompt;
    private final List<PromptSchedule.Entry> negative;
    private final Map<String, TextConditioning.Encoded> encoded = new LinkedHashMap<>();
    private final TextConditioning.Encoded zeroNegative;
    private final int batch;
    /** What {@link #forSteps} needs to schedule the same texts again. */
    private final Embeddings embeddings;
    private final String promptText;
    private final String negativeText;
    private final int clipSkip;
    private final int chunks;

    /** The UNet's inputs for one model call besides the latent and the timestep. */
    record Call(INDArray context, Map<String, INDArray> added) {
    }

    Conditioning(TextConditioning encoder, Embeddings embeddings, String prompt, String negative, int steps, int clipSkip, int batch) {
        this(encoder, embeddings, prompt, negative, steps, clipSkip, batch, null);
    }

    /** @param previous encodings to reuse where a text and its chunk count are the same, or null */
    private Conditioning(TextConditioning encoder, Embeddings embeddings, String prompt, String negative, int steps, int clipSkip, int batch,
                         Conditioning previous) {
        this.encoder = encoder;
        this.embeddings = embeddings;
        this.promptText = prompt;
        this.negativeText = negative;
        this.clipSkip = clipSkip;
        this.prompt = PromptSchedule.of(prompt, steps);
        this.negative = PromptSchedule.of(negative, steps);
        this.batch = batch;
        int chunks = 1;
        for (List<PromptSchedule.Entry> schedule : List.of(this.prompt, this.negative)) {
            for (PromptSchedule.Entry e : schedule) {
                chunks = Math.max(chunks, encoder.chunkCount(e.text(), embeddings));
            }
        }
        this.chunks = chunks;
        if (previous != null && previous.chunks == chunks) {
            encoded.putAll(previous.encoded);
        }
        encodeAll(this.prompt, "the text encoder (prompt)");
        boolean zeros = encoder.zerosForEmptyText() && this.negative.stream().allMatch(e -> e.text().isEmpty());
        if (!zeros) {
            encodeAll(this.negative, "the text encoder (negative prompt)");
        }
        this.zeroNegative = zeros ? encoded.values().iterator().next().zeros() : null;
    }

    /**
     * The same prompts scheduled over another number of steps (the hires fix's second pass: prompt editing switches at
     * its own steps); texts already encoded are not encoded again.
     */
    Conditioning forSteps(int steps) {
        return new Conditioning(encoder, embeddings, promptText, negativeText, steps, clipSkip, batch, this);
    }

    private void encodeAll(List<PromptSchedule.Entry> schedule, String stage) {
        for (PromptSchedule.Entry e : schedule) {
            encoded.computeIfAbsent(e.text(), text -> {
                TextConditioning.Encoded c = encoder.encode(text, clipSkip, chunks, embeddings);
                Pipeline.finite(c.context(), stage);
                return c;
            });
        }
    }

    /** [2·batch, keys, width]: the negative prompt's conditioning for every image, then the prompt's, at model call {@code call}. */
    INDArray context(int call) {
        return stack(rows(call, true), TextConditioning.Encoded::context);
    }

    /** The number of context positions (77 per chunk): what the cross-attention layers attend over. */
    long keys() {
        return encoded.values().iterator().next().context().size(1);
    }

    /**
     * The inputs of model call {@code call}: with {@code guided} the batch [negative × batch, prompt × batch], else the
     * prompt's rows alone (classifier-free guidance off: CFG ≤ 1); added inputs for a {@code width}×{@code height} image.
     */
    Call at(int call, boolean guided, SizeConditioning sizes, int width, int height) {
        List<TextConditioning.Encoded> rows = rows(call, guided);
        INDArray pooled = rows.get(0).pooled() == null ? null : stack(rows, TextConditioning.Encoded::pooled);
        return new Call(stack(rows, TextConditioning.Encoded::context), encoder.addedInputs(pooled, sizes, width, height));
    }

    /** The texts' encodings in batch order: the negative's {@code batch} times when guided, then the prompt's. */
    private List<TextConditioning.Encoded> rows(int call, boolean guided) {
        TextConditioning.Encoded cond = encoded.get(PromptSchedule.at(prompt, call));
        TextConditioning.Encoded uncond = zeroNegative != null ? zeroNegative : encoded.get(PromptSchedule.at(negative, call));
        List<TextConditioning.Encoded> rows = new java.util.ArrayList<>();
        for (int i = 0; guided && i < batch; i++) {
            rows.add(uncond);
        }
        for (int i = 0; i < batch; i++) {
            rows.add(cond);
        }
        return rows;
    }

    private static INDArray stack(List<TextConditioning.Encoded> rows, java.util.function.Function<TextConditioning.Encoded, INDArray> part) {
        return Nd4j.concat(0, rows.stream().map(part).toArray(INDArray[]::new));
    }

    /** The prompt's text at the last step: what the token maps are labelled with. */
    String finalPrompt() {
        return prompt.get(prompt.size() - 1).text();
    }

    /** Every text either prompt uses at some step. */
    List<String> texts() {
        return List.copyOf(encoded.keySet());
    }
}
