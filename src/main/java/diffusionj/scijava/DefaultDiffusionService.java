package diffusionj.scijava;

import diffusionj.io.ExtraNetworkFolders;
import diffusionj.pipeline.GenerationRequest;
import diffusionj.pipeline.GenerationResult;
import diffusionj.pipeline.InitImage;
import diffusionj.attention.TokenMaps;
import diffusionj.pipeline.Images;
import diffusionj.pipeline.Pipeline;
import diffusionj.pipeline.WordMapSettings;
import diffusionj.pipeline.WordMapping;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.basictypeaccess.array.IntArray;
import net.imglib2.type.numeric.ARGBType;
import diffusionj.pipeline.ProgressListener;
import diffusionj.pipeline.RunOptions;
import diffusionj.pipeline.StableDiffusion;
import diffusionj.nn.NativeBackend;
import ij.Prefs;
import org.scijava.plugin.Plugin;
import org.scijava.service.AbstractService;
import org.scijava.service.Service;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Keeps loaded models (they take seconds to load and gigabytes of memory) and remembers the default one in
 * ImageJ's preferences, so menu commands, macros and scripts share both. Generations run one at a time:
 * each already uses every core.
 */
@Plugin(type = Service.class)
public final class DefaultDiffusionService extends AbstractService implements DiffusionService {
    static final String MODEL_PREF = "diffusionj.model";
    static final String TOKENIZER_PREF = "diffusionj.tokenizer";
    static final String LORA_DIRS_PREF = "diffusionj.loraDirs";
    static final String EMBEDDING_DIRS_PREF = "diffusionj.embeddingDirs";

    private final Map<ModelChoice, StableDiffusion> loaded = new LinkedHashMap<>();

    /** The ImageJ commands' and scripts' way in, as Main is the command line's: ND4J is prepared before its first use. */
    @Override
    public void initialize() {
        NativeBackend.configure();
    }

    @Override
    public ModelChoice defaultModel() {
        return ModelChoice.of(Prefs.get(MODEL_PREF, ""), Prefs.get(TOKENIZER_PREF, ""));
    }

    @Override
    public void setDefaultModel(ModelChoice choice) {
        Prefs.set(MODEL_PREF, choice.label());
        Prefs.set(TOKENIZER_PREF, choice.tokenizer() == null ? "" : choice.tokenizer().toString());
        Prefs.savePreferences();
    }

    @Override
    public synchronized StableDiffusion model(ModelChoice choice) {
        StableDiffusion model = loaded.get(choice);
        if (model == null) {
            model = StableDiffusion.load(choice.model(), choice.tokenizer());
            loaded.put(choice, model);
        }
        return model;
    }

    @Override
    public GenerationResult generate(GenerationRequest request) {
        return generate(defaultModel(), request, null, false, ProgressListener.NONE, () -> false);
    }

    @Override
    public synchronized GenerationResult generate(ModelChoice model, GenerationRequest request, InitImage init, boolean tokenMaps,
                                                  ProgressListener progress, BooleanSupplier cancelled) {
        return generate(model, request, ExtraNetworkFolders.NONE, init, tokenMaps, progress, cancelled);
    }

    @Override
    public synchronized GenerationResult generate(ModelChoice model, GenerationRequest request, ExtraNetworkFolders folders,
                                                  InitImage init, boolean tokenMaps, ProgressListener progress, BooleanSupplier cancelled) {
        return new Pipeline(model(model), folders.with(extraNetworkFolders(model)))
                .generate(request, init, tokenMaps, RunOptions.NONE, progress, cancelled);
    }

    @Override
    public synchronized TokenMaps wordMaps(ModelChoice model, ArrayImg<ARGBType, IntArray> image, WordMapSettings settings,
                                           ExtraNetworkFolders folders, ProgressListener progress, BooleanSupplier cancelled) {
        return new WordMapping(model(model), folders.with(extraNetworkFolders(model))).map(Images.fromArgb(image), settings, progress, cancelled);
    }

    @Override
    public ExtraNetworkFolders extraNetworkFolders() {
        return new ExtraNetworkFolders(ExtraNetworkFolders.split(Prefs.get(LORA_DIRS_PREF, "")),
                ExtraNetworkFolders.split(Prefs.get(EMBEDDING_DIRS_PREF, "")));
    }

    @Override
    public void setExtraNetworkFolders(ExtraNetworkFolders folders) {
        Prefs.set(LORA_DIRS_PREF, ExtraNetworkFolders.join(folders.loras()));
        Prefs.set(EMBEDDING_DIRS_PREF, ExtraNetworkFolders.join(folders.embeddings()));
        Prefs.savePreferences();
    }

    @Override
    public synchronized List<ModelChoice> loadedModels() {
        return new ArrayList<>(loaded.keySet());
    }

    @Override
    public synchronized java.util.Optional<StableDiffusion.MeasuredPeak> lastPeak(ModelChoice choice) {
        StableDiffusion model = loaded.get(choice);
        return model == null ? java.util.Optional.empty() : model.lastPeak();
    }

    @Override
    public synchronized void unload(ModelChoice choice) {
        StableDiffusion model = loaded.remove(choice);
        if (model != null) {
            model.close();
        }
    }

    @Override
    public synchronized void unloadAll() {
        new ArrayList<>(loaded.keySet()).forEach(this::unload);
    }

    @Override
    public void dispose() {
        unloadAll();
    }
}
