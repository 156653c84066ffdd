package diffusionj.pipeline;

import diffusionj.text.Embeddings;
import diffusionj.text.PromptEncoder;
import diffusionj.text.PromptSchedule;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the UNet is conditioned on at each model call: the negative and the positive prompt's texts in force at
 * that call ({@link PromptSchedule}: prompt editing and alternation), each distinct text encoded once, all with the
 * same number of 77-token chunks so that the two halves of the guidance batch line up.
 */
final class Conditioning {
    private final List<PromptSchedule.Entry> prompt;
    private final List<PromptSchedule.Entry> negative;
    private final Map<String, INDArray> encoded = new LinkedHashMap<>();
    private final int batch;

    Conditioning(PromptEncoder encoder, Embeddings embeddings, String prompt, String negative, int steps, int clipSkip, int batch) {
        this.prompt = PromptSchedule.of(prompt, steps);
        this.negative = PromptSchedule.of(negative, steps);
        this.batch = batch;
        int chunks = 1;
        for (List<PromptSchedule.Entry> schedule : List.of(this.prompt, this.negative)) {
            for (PromptSchedule.Entry e : schedule) {
                chunks = Math.max(chunks, encoder.chunkCount(e.text(), embeddings));
            }
        }
        encodeAll(encoder, embeddings, this.prompt, clipSkip, chunks, "the text encoder (prompt)");
        encodeAll(encoder, embeddings, this.negative, clipSkip, chunks, "the text encoder (negative prompt)");
    }

    private void encodeAll(PromptEncoder encoder, Embeddings embeddings, List<PromptSchedule.Entry> schedule, int clipSkip, int chunks, String stage) {
        for (PromptSchedule.Entry e : schedule) {
            encoded.computeIfAbsent(e.text(), text -> Pipeline.finite(encoder.encode(text, clipSkip, chunks, embeddings), stage));
        }
    }

    /** [2·batch, keys, width]: the negative prompt's conditioning for every image, then the prompt's, at model call {@code call}. */
    INDArray context(int call) {
        INDArray uncond = encoded.get(PromptSchedule.at(negative, call));
        INDArray cond = encoded.get(PromptSchedule.at(prompt, call));
        INDArray[] rows = new INDArray[2 * batch];
        for (int i = 0; i < batch; i++) {
            rows[i] = uncond;
            rows[batch + i] = cond;
        }
        return Nd4j.concat(0, rows);
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
