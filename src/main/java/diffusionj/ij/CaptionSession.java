package diffusionj.ij;

import diffusionj.lm.CaptionSuggester;
import diffusionj.io.Checkpoint;
import diffusionj.io.Checkpoints;
import diffusionj.io.ExtraNetworkFolders;
import diffusionj.lm.Gpt2Model;
import diffusionj.lm.Gpt2Tokenizer;
import diffusionj.lm.ExtraNetworkCompleter;
import diffusionj.lm.TagCompleter;
import diffusionj.lm.TokenPredictor;
import diffusionj.scijava.DiffusionServices;
import diffusionj.scijava.ModelChoice;
import diffusionj.text.ClipTextConfig;
import diffusionj.text.ClipTokenizer;
import diffusionj.text.Embeddings;
import ij.Prefs;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The caption completer's loaded parts, shared by the side panel and the macro functions: the language
 * model chosen for it (remembered in Prefs; none is allowed) and the tokenizer of the default
 * Stable Diffusion model. Rebuilt only when either choice changes.
 */
final class CaptionSession {
    static final String LM_PREF = "diffusionj.lm.lm";

    private static String lmFolder;
    private static ModelChoice clipModel;
    private static Embeddings embeddings;
    private static CaptionSuggester suggester;
    private static ClipTokenizer clip;

    private CaptionSession() {
    }

    static String languageModel() {
        return Prefs.get(LM_PREF, "");
    }

    static void setLanguageModel(String folder) {
        Prefs.set(LM_PREF, folder == null ? "" : folder.strip());
        Prefs.savePreferences();
    }

    static synchronized CaptionSuggester suggester() {
        String lm = languageModel();
        ModelChoice model = DiffusionServices.get().defaultModel();
        if (suggester == null || !lm.equals(lmFolder) || !Objects.equals(model, clipModel)) {
            clip = loadClip(model);
            embeddings = Embeddings.in(DiffusionServices.get().extraNetworkFolders(model).embeddings(), clip, textWidths(model));
            TokenPredictor predictor = lm.isBlank() ? null : new TokenPredictor(Gpt2Model.load(Path.of(lm)));
            ExtraNetworkFolders folders = DiffusionServices.get().extraNetworkFolders(model);
            ExtraNetworkCompleter networks = new ExtraNetworkCompleter(List.copyOf(ExtraNetworkFolders.list(folders.loras()).keySet()),
                    List.copyOf(ExtraNetworkFolders.list(folders.embeddings()).keySet()));
            suggester = new CaptionSuggester(TagCompleter.builtIn(), predictor, lm.isBlank() ? null : Gpt2Tokenizer.forModel(Path.of(lm)), clip,
                    networks);
            lmFolder = lm;
            clipModel = model;
        }
        return suggester;
    }

    /** The default model's tokenizer (the embedded model's own vocabulary until another model is chosen). */
    static synchronized ClipTokenizer clipTokenizer() {
        suggester();
        return clip;
    }

    /** The default model's embeddings, which the token counts count as their vectors. */
    static synchronized Embeddings embeddings() {
        suggester();
        return embeddings;
    }

    /** The token width of each of the model's text towers: what its embeddings must have. */
    private static long[] textWidths(ModelChoice model) {
        try (Checkpoint c = Checkpoints.open(model.model(), model.tokenizer())) {
            return c.family().textTowers().stream().mapToLong(t -> ClipTextConfig.fromJson(c.config(t)).width()).toArray();
        }
    }

    private static ClipTokenizer loadClip(ModelChoice model) {
        try (Checkpoint c = Checkpoints.open(model.model(), model.tokenizer())) {
            return ClipTokenizer.load(c.tokenizerDir());
        }
    }
}
