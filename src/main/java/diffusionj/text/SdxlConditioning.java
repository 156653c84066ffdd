package diffusionj.text;

import diffusionj.unet.SizeConditioning;
import diffusionj.unet.UNet2DConditionModel;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

/**
 * SDXL: the same prompt through both towers (CLIP ViT-L padding with end-of-text, OpenCLIP ViT-bigG padding with
 * "!"), each weighted and chunked as the web UIs do; the context is their penultimate layers' outputs, without the
 * final layer norm, concatenated along the features (tower 1 first); the pooled vector is the second tower's
 * projected end-of-text state of the first chunk — the web UIs' rule for prompts longer than 75 tokens (diffusers
 * truncates to 77 tokens, which pools the same chunk). The UNet also gets the image sizes ({@link SizeConditioning}).
 * CLIP skip 1 and 2 both mean the penultimate layer SDXL was trained on; n ≥ 3 goes n − 2 layers further back in both.
 */
final class SdxlConditioning implements TextConditioning {
    private final PromptEncoder clipL;
    private final PromptEncoder clipG;

    SdxlConditioning(PromptEncoder clipL, PromptEncoder clipG) {
        this.clipL = clipL;
        this.clipG = clipG;
    }

    @Override
    public Encoded encode(String text, int clipSkip, int chunks, Embeddings embeddings) {
        if (clipSkip < 1 || clipSkip > maxClipSkip()) {
            throw new IllegalArgumentException("CLIP skip must be between 1 and " + maxClipSkip() + ", got " + clipSkip);
        }
        int back = Math.max(clipSkip, 2);
        PromptEncoder.Encoded l = clipL.encode(text, layer(clipL, back), false, chunks, embeddings);
        PromptEncoder.Encoded g = clipG.encode(text, layer(clipG, back), true, chunks, embeddings);
        return new Encoded(Nd4j.concat(2, l.conditioning(), g.conditioning()), g.pooled());
    }

    /** The output {@code back} layers from the end: 2 is the penultimate layer's output. */
    private static String layer(PromptEncoder tower, int back) {
        return ClipTextEncoder.hiddenState(tower.textLayers() + 1 - back);
    }

    @Override
    public Encoded encodeLiteral(List<String> texts) {
        String l = layer(clipL, 2);
        String g = layer(clipG, 2);
        Map<String, INDArray> outL = clipL.encoder().encode(clipL.tokenizer().contextIds(texts), l);
        long[][] idsG = clipG.tokenizer().contextIds(texts);
        Map<String, INDArray> outG = clipG.encoder().encode(idsG, g, ClipTextEncoder.LAST_HIDDEN_STATE);
        return new Encoded(Nd4j.concat(2, outL.get(l), outG.get(g)), clipG.encoder().pooled(idsG, outG.get(ClipTextEncoder.LAST_HIDDEN_STATE)));
    }

    @Override
    public boolean zerosForEmptyText() {
        return true;
    }

    @Override
    public Map<String, INDArray> addedInputs(INDArray pooled, SizeConditioning sizes, int width, int height) {
        return Map.of(UNet2DConditionModel.TEXT_EMBEDS, pooled, UNet2DConditionModel.TIME_IDS, sizes.timeIds(width, height, pooled.size(0)));
    }

    @Override
    public PromptEncoder first() {
        return clipL;
    }

    @Override
    public List<PromptEncoder> towers() {
        return List.of(clipL, clipG);
    }

    @Override
    public int maxClipSkip() {
        return Math.min(clipL.textLayers(), clipG.textLayers());
    }
}
