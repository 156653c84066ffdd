package diffusionj.ij;

import diffusionj.io.Checkpoint;
import diffusionj.io.Checkpoints;
import diffusionj.io.Component;
import diffusionj.io.ExtraNetworkFolders;
import diffusionj.io.TensorInfo;
import diffusionj.pipeline.StableDiffusion;
import diffusionj.scijava.DiffusionService;
import diffusionj.scijava.DiffusionServices;
import diffusionj.scijava.ModelChoice;
import ij.IJ;
import ij.Macro;
import ij.gui.GenericDialog;
import ij.plugin.PlugIn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Plugins › DiffusionJ › Model Manager...: chooses the default model (a diffusers folder, or a single
 * .safetensors file with its tokenizer folder), remembered across sessions; describes it (family, weight
 * type, size on disk, short hash); remembers the folders LoRAs and embeddings are found in (besides those next to
 * the checkpoint); and unloads cached models to give their memory back. Macro options:
 * {@code model=[path] tokenizer=[folder] lora_dir=[folders] embeddings_dir=[folders] unload}.
 */
public class ModelManager implements PlugIn {
    private static final Set<String> KEYS = Set.of("model", "tokenizer", "unload", "lora_dir", "embeddings_dir");

    @Override
    public void run(String arg) {
        DiffusionService service = DiffusionServices.get();
        ModelChoice current = service.defaultModel();
        String model;
        String tokenizer;
        boolean unload;
        ExtraNetworkFolders remembered = service.extraNetworkFolders();
        String loraDirs;
        String embeddingDirs;
        String options = Macro.getOptions();
        if (options != null) {
            MacroOptions o = new MacroOptions(options, KEYS);
            model = o.get("model", current.label());
            tokenizer = o.get("tokenizer", "");
            unload = o.has("unload");
            loraDirs = o.get("lora_dir", ExtraNetworkFolders.join(remembered.loras()));
            embeddingDirs = o.get("embeddings_dir", ExtraNetworkFolders.join(remembered.embeddings()));
        } else {
            GenericDialog gd = new GenericDialog("DiffusionJ Model Manager");
            gd.addMessage(describe(current));
            gd.addMessage(service.loadedModels().size() + " model(s) loaded in memory." + service.lastPeak(current)
                    .map(p -> String.format("%nIts last generation, %d×%d (batch %d), took %.1f GB of memory at the most (the whole"
                            + " process).", p.width(), p.height(), p.batch(), p.gib() * 1.073741824)).orElse(""));
            gd.addFileField("Model", current.label());
            gd.addDirectoryField("Tokenizer", current.tokenizer() == null ? "" : current.tokenizer().toString());
            gd.addStringField("LoRA folders", ExtraNetworkFolders.join(remembered.loras()), 40);
            gd.addStringField("Embedding folders", ExtraNetworkFolders.join(remembered.embeddings()), 40);
            gd.addCheckbox("Unload all loaded models (frees their memory)", false);
            gd.addMessage("Model: a diffusers folder, a single-file .safetensors (SD 1.x/2.x), or \"embedded\" (the small\n"
                    + "shapes model inside the plugin, also used when the field is empty).\n"
                    + "Tokenizer: only for a single file without a diffusers folder next to it.\n"
                    + "LoRA and embedding folders (several separated by '" + java.io.File.pathSeparator + "') are searched with their\n"
                    + "subfolders, after Lora/ and embeddings/ beside the checkpoint as a web UI lays them out.\n"
                    + "DiffusionJ never downloads weights; see the README for where to get them.");
            gd.showDialog();
            if (gd.wasCanceled()) {
                return;
            }
            model = gd.getNextString();
            tokenizer = gd.getNextString();
            loraDirs = gd.getNextString();
            embeddingDirs = gd.getNextString();
            unload = gd.getNextBoolean();
        }
        if (unload) {
            service.unloadAll();
            IJ.log("DiffusionJ: all models unloaded");
        }
        try {
            ModelChoice choice = ModelChoice.of(model, tokenizer);
            String description = describe(choice);
            service.setDefaultModel(choice);
            ExtraNetworkFolders folders = new ExtraNetworkFolders(ExtraNetworkFolders.split(loraDirs), ExtraNetworkFolders.split(embeddingDirs));
            service.setExtraNetworkFolders(folders);
            IJ.log("DiffusionJ default model: " + description);
            IJ.log("DiffusionJ LoRA and embedding folders: " + service.extraNetworkFolders(choice));
        } catch (RuntimeException e) {
            GenerationRun.report(e.getMessage());
        }
    }

    /** "name — SD 1.x, float16, 2.0 GB, hash 1a2b3c4d": opens the files (validating them) but loads no weights. */
    static String describe(ModelChoice choice) {
        try (Checkpoint c = Checkpoints.open(choice.model(), choice.tokenizer())) {
            var unet = c.weights(Component.UNET).file();
            TensorInfo any = unet.info(unet.names().iterator().next());
            return StableDiffusion.name(choice.model()) + " — " + c.family().displayName + ", "
                    + any.dtype().name().toLowerCase() + " weights (kept so in memory, widened per block), "
                    + String.format("%.1f MB", sizeOnDisk(choice.model()) / 1e6) + ", hash " + StableDiffusion.shortHash(c);
        }
    }

    private static long sizeOnDisk(Path path) {
        try (Stream<Path> files = Files.walk(path)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException e) {
            return 0;
        }
    }
}
