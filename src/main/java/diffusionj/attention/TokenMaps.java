package diffusionj.attention;

import diffusionj.unet.UNet2DConditionModel.AttentionLayer;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.type.numeric.real.FloatType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.ArrayList;
import java.util.List;

/**
 * Per-token heat maps of one generated image, computed as DAAM ("What the DAAM", Tang et al., ACL 2023):
 * each (layer, head) sum of conditional cross-attention is resized bicubically to the latent size, clamped
 * at 0, and averaged over all (layer, head) pairs; a token's or word's map is then resized to the image
 * and min-max normalised, and its mask is map &gt; τ.
 *
 * @param latentMaps [keys, h, w] at latent size, one per text-embedding key
 * @param tokens     the prompt's tokens and words with their key positions
 */
public record TokenMaps(INDArray latentMaps, PromptTokens tokens, int imageHeight, int imageWidth) {
    public static final double DEFAULT_THRESHOLD = 0.4;

    /** A labelled map at image size, values in [0, 1]. */
    public record LabelledMap(String label, INDArray map) {
        public INDArray mask(double threshold) {
            return map.gt(threshold).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
        }

        /** The map as an ImgLib2 image (width × height). */
        public ArrayImg<FloatType, FloatArray> image() {
            return ArrayImgs.floats(map.dup('c').data().asFloat(), map.size(1), map.size(0));
        }
    }

    public static TokenMaps compute(CrossAttentionSums sums, int image, PromptTokens tokens,
                                    int latentH, int latentW, int imageH, int imageW) {
        INDArray total = null;
        long pairs = 0;
        for (AttentionLayer layer : sums.layers()) {
            INDArray s = sums.sum(layer).get(NDArrayIndex.point(image), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all());
            long heads = s.size(0);
            long keys = s.size(2);
            INDArray perHead = s.permute(0, 2, 1).dup('c').reshape(heads * keys, layer.height(), layer.width());
            INDArray resized = Transforms.max(Bicubic.resize(perHead, latentH, latentW), 0.0, false);
            INDArray summedHeads = resized.reshape(heads, keys, latentH, latentW).sum(0);
            total = total == null ? summedHeads : total.addi(summedHeads);
            pairs += heads;
        }
        return new TokenMaps(total.divi(pairs), tokens, imageH, imageW);
    }

    /** DAAM's indexing: BOS, the prompt tokens, the first EOS; [tokens + 2, h, w]. */
    public INDArray daamMaps() {
        return select(tokens.daamKeys());
    }

    /** One map per prompt token, labelled with the token's text. */
    public List<LabelledMap> tokenMaps() {
        List<LabelledMap> out = new ArrayList<>();
        for (PromptTokens.Token t : tokens.tokens()) {
            out.add(new LabelledMap(t.text(), toImage(select(new int[]{t.key()}))));
        }
        return out;
    }

    /** How much attention each prompt token drew over the whole image: the mean of its latent-size map. */
    public double[] tokenStrengths() {
        List<PromptTokens.Token> t = tokens.tokens();
        double[] out = new double[t.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = latentMaps.get(NDArrayIndex.point(t.get(i).key()), NDArrayIndex.all(), NDArrayIndex.all()).meanNumber().doubleValue();
        }
        return out;
    }

    /** One map per word: the mean of its tokens' maps (every occurrence). */
    public List<LabelledMap> wordMaps() {
        List<LabelledMap> out = new ArrayList<>();
        for (PromptTokens.Word w : tokens.words()) {
            out.add(new LabelledMap(w.text(), toImage(select(w.keys()).mean(true, 0))));
        }
        return out;
    }

    private INDArray select(int[] keys) {
        return latentMaps.get(NDArrayIndex.indices(java.util.Arrays.stream(keys).mapToLong(k -> k).toArray()),
                NDArrayIndex.all(), NDArrayIndex.all()).dup('c');
    }

    /** [1, h, w] → [H, W] at image size, min-max normalised (a flat map becomes all zeros). */
    private INDArray toImage(INDArray map) {
        INDArray big = Bicubic.resize(map, imageHeight, imageWidth).reshape(imageHeight, imageWidth);
        double min = big.minNumber().doubleValue();
        double range = big.maxNumber().doubleValue() - min;
        return range > 0 ? big.subi(min).divi(range) : Nd4j.zerosLike(big);
    }
}
