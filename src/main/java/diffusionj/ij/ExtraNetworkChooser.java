package diffusionj.ij;

import diffusionj.io.CheckpointException;
import diffusionj.io.ExtraNetworkFolders;
import diffusionj.io.Safetensors;

import java.awt.Choice;
import java.awt.FlowLayout;
import java.awt.Label;
import java.awt.Panel;
import java.awt.TextArea;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Generate dialog's LoRA and embedding choosers: each lists the files of its folders with their size and what
 * their metadata says (a LoRA's base model, an embedding's vector count); choosing one inserts {@code <lora:name:1>}
 * or the embedding's name into the prompt at the caret, as the web UIs' extra-network cards do.
 */
final class ExtraNetworkChooser {
    private static final String NONE = "—";

    private ExtraNetworkChooser() {
    }

    static Panel panel(ExtraNetworkFolders folders, TextArea prompt) {
        Panel p = new Panel(new FlowLayout(FlowLayout.LEFT, 4, 0));
        p.add(new Label("Insert LoRA"));
        p.add(chooser(ExtraNetworkFolders.list(folders.loras()), true, prompt));
        p.add(new Label("embedding"));
        p.add(chooser(ExtraNetworkFolders.list(folders.embeddings()), false, prompt));
        return p;
    }

    private static Choice chooser(Map<String, Path> files, boolean lora, TextArea prompt) {
        Choice c = new Choice();
        c.add(files.isEmpty() ? "(none in " + (lora ? "the LoRA" : "the embeddings") + " folders)" : NONE);
        List<String> names = new ArrayList<>();
        files.forEach((name, file) -> {
            c.add(name + "  (" + describe(file, lora) + ")");
            names.add(name);
        });
        c.addItemListener(e -> {
            int i = c.getSelectedIndex() - 1;
            if (i >= 0) {
                insert(prompt, lora ? "<lora:" + names.get(i) + ":1>" : names.get(i));
                c.select(0);
            }
        });
        return c;
    }

    /** "144.2 MB, sd_v1" for a LoRA; "3 vectors, 1 kB" for an embedding. */
    static String describe(Path file, boolean lora) {
        String size = String.format("%.1f MB", file.toFile().length() / 1e6);
        try (Safetensors st = Safetensors.open(file)) {
            if (lora) {
                String base = st.metadata().getOrDefault("ss_base_model_version", "");
                return base.isEmpty() ? size : size + ", " + base;
            }
            String key = st.contains("emb_params") ? "emb_params" : st.names().iterator().next();
            long[] shape = st.info(key).shape();
            return (shape.length == 2 ? shape[0] : 1) + " vectors, " + size;
        } catch (CheckpointException | java.util.NoSuchElementException e) {
            return size + ", unreadable";
        }
    }

    /** At the caret, with a separating space where the text around it needs one. */
    private static void insert(TextArea prompt, String text) {
        String s = prompt.getText();
        int at = Math.min(prompt.getCaretPosition(), s.length());
        String before = at > 0 && !Character.isWhitespace(s.charAt(at - 1)) ? " " : "";
        String after = at < s.length() && !Character.isWhitespace(s.charAt(at)) ? " " : "";
        prompt.insert(before + text + after, at);
    }
}
