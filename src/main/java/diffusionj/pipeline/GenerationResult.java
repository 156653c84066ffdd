package diffusionj.pipeline;

import diffusionj.attention.TokenMaps;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.basictypeaccess.array.IntArray;
import net.imglib2.type.numeric.ARGBType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * What a generation made: one RGB image per batch entry, with its seed and "parameters" text; the final
 * latent [batch, 4, h, w] and decoded image [batch, 3, H, W] in [−1, 1]; and, when asked for, the token
 * maps of each image.
 */
public record GenerationResult(GenerationRequest request, List<ArrayImg<ARGBType, IntArray>> images,
                               long[] seeds, List<String> parameters, INDArray latent, INDArray decoded,
                               List<TokenMaps> tokenMaps) {
}
