package diffusionj.text;

import diffusionj.unet.SizeConditioning;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;

/** SD 1.x and 2.x: one CLIP text tower, its final-normed last layer (or an earlier one: CLIP skip) is the context. */
final class ClipConditioning implements TextConditioning {
    private final PromptEncoder tower;

    ClipConditioning(PromptEncoder tower) {
        this.tower = tower;
    }

    @Override
    public Encoded encode(String text, int clipSkip, int chunks, Embeddings embeddings) {
        return new Encoded(tower.encode(text, clipSkip, chunks, embeddings), null);
    }

    @Override
    public Encoded encodeLiteral(List<String> texts) {
        long[][] ids = tower.tokenizer().contextIds(texts);
        return new Encoded(tower.encoder().encode(ids, ClipTextEncoder.LAST_HIDDEN_STATE).get(ClipTextEncoder.LAST_HIDDEN_STATE), null);
    }

    @Override
    public boolean zerosForEmptyText() {
        return false;
    }

    @Override
    public Map<String, INDArray> addedInputs(INDArray pooled, SizeConditioning sizes, int width, int height) {
        if (!sizes.isDefault()) {
            throw new PromptException("original size and crop are SDXL's size conditioning; SD 1.x/2.x models have none");
        }
        return Map.of();
    }

    @Override
    public PromptEncoder first() {
        return tower;
    }

    @Override
    public List<PromptEncoder> towers() {
        return List.of(tower);
    }

    @Override
    public int maxClipSkip() {
        return tower.textLayers();
    }
}
