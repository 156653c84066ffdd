package diffusionj.scijava;

import diffusionj.io.ExtraNetworkFolders;
import diffusionj.pipeline.GenerationRequest;
import diffusionj.pipeline.GenerationResult;
import diffusionj.pipeline.InitImage;
import diffusionj.pipeline.ProgressListener;
import diffusionj.pipeline.StableDiffusion;
import diffusionj.pipeline.WordMapSettings;
import diffusionj.attention.TokenMaps;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.basictypeaccess.array.IntArray;
import net.imglib2.type.numeric.ARGBType;
import org.scijava.service.SciJavaService;

import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * DiffusionJ for scripts and commands: loads models once and keeps them, and runs generations. In a Fiji
 * script: {@code #@ DiffusionService diffusion} then {@code diffusion.generate(GenerationRequest.of("a cat"))}.
 * The ImageJ 1.x menu commands go through the same service.
 */
public interface DiffusionService extends SciJavaService {
    /** The remembered default model (Model Manager), or the embedded model when none was chosen. */
    ModelChoice defaultModel();

    void setDefaultModel(ModelChoice choice);

    /** The model loaded, from the cache when it was loaded before. */
    StableDiffusion model(ModelChoice choice);

    /** Text-to-image with the default model. */
    GenerationResult generate(GenerationRequest request);

    /**
     * @param init null for text-to-image, else image-to-image or inpainting
     */
    GenerationResult generate(ModelChoice model, GenerationRequest request, InitImage init, boolean tokenMaps,
                              ProgressListener progress, BooleanSupplier cancelled);

    /** As above, with LoRAs and embeddings also looked up in {@code folders}. */
    GenerationResult generate(ModelChoice model, GenerationRequest request, ExtraNetworkFolders folders, InitImage init,
                              boolean tokenMaps, ProgressListener progress, BooleanSupplier cancelled);

    /**
     * Per-word attention maps of an existing RGB image of any size (not one this model made): see {@link diffusionj.pipeline.WordMapping}.
     * In a script: {@code diffusion.wordMaps(diffusion.defaultModel(), img, WordMapSettings.of("a cell nucleus"), …)}.
     */
    TokenMaps wordMaps(ModelChoice model, ArrayImg<ARGBType, IntArray> image, WordMapSettings settings, ExtraNetworkFolders folders,
                       ProgressListener progress, BooleanSupplier cancelled);

    /** The LoRA and embedding folders remembered in the Model Manager. */
    ExtraNetworkFolders extraNetworkFolders();

    /**
     * Where a model's LoRAs and embeddings are found: the remembered folders, then those beside its checkpoint
     * ({@link ExtraNetworkFolders#beside}).
     */
    default ExtraNetworkFolders extraNetworkFolders(ModelChoice model) {
        return extraNetworkFolders().with(ExtraNetworkFolders.beside(model.model()));
    }

    /** The LoRA and embedding folders to remember (Model Manager). */
    void setExtraNetworkFolders(ExtraNetworkFolders folders);

    List<ModelChoice> loadedModels();

    /** The peak memory measured during the last generation with this model, if it is loaded and has generated. */
    java.util.Optional<diffusionj.pipeline.StableDiffusion.MeasuredPeak> lastPeak(ModelChoice choice);

    /** Frees a loaded model's memory; it is loaded again when next used. */
    void unload(ModelChoice choice);

    void unloadAll();
}
