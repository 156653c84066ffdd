package diffusionj.ij;

import diffusionj.lm.CaptionEdit;
import diffusionj.lm.CaptionSuggester;
import diffusionj.lm.DebouncedWorker;
import diffusionj.lm.Suggestion;
import diffusionj.text.ClipTokenizer;
import diffusionj.text.Embeddings;
import diffusionj.text.TokenCount;
import ij.IJ;
import ij.Prefs;
import ij.plugin.frame.Recorder;

import javax.swing.BorderFactory;
import javax.swing.Box;
import javax.swing.BoxLayout;
import javax.swing.DefaultListModel;
import javax.swing.JButton;
import javax.swing.JFileChooser;
import javax.swing.JLabel;
import javax.swing.JList;
import javax.swing.JPanel;
import javax.swing.JScrollPane;
import javax.swing.JTextArea;
import javax.swing.SwingUtilities;
import javax.swing.event.DocumentEvent;
import javax.swing.event.DocumentListener;
import java.awt.BorderLayout;
import java.awt.Dimension;
import java.awt.event.KeyAdapter;
import java.awt.event.KeyEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * The caption completer's window content: prompt and negative prompt, a suggestion list that follows the
 * typing (computed off the Event Dispatch Thread, 250 ms after the last key, stale answers dropped), the
 * CLIP token counter, the language-model chooser and a Generate button. Up/Down move in the list, Tab or
 * Enter accept, Esc hides it.
 */
final class CaptionCompleterPanel extends JPanel {
    private static final int SUGGESTIONS = 8;
    private static final String PROMPT_PREF = "diffusionj.lm.prompt";
    private static final String NEGATIVE_PREF = "diffusionj.lm.negative";

    /** What the worker computes for the text being edited. */
    private record Update(List<Suggestion> suggestions, String counter, String status) {
    }

    private final JTextArea prompt = new JTextArea(Prefs.get(PROMPT_PREF, ""), 4, 36);
    private final JTextArea negative = new JTextArea(Prefs.get(NEGATIVE_PREF, ""), 2, 36);
    private final DefaultListModel<String> shown = new DefaultListModel<>();
    private final JList<String> list = new JList<>(shown);
    private final JScrollPane listPane = new JScrollPane(list);
    private final JLabel counter = new JLabel(" ");
    private final JLabel status = new JLabel(" ");
    private final List<Suggestion> current = new ArrayList<>();
    private JTextArea editing = prompt;
    private final DebouncedWorker<String[], Update> worker = new DebouncedWorker<>(Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "DiffusionJ caption completer");
        t.setDaemon(true);
        return t;
    }), 250, CaptionCompleterPanel::compute, SwingUtilities::invokeLater, this::show, e -> status.setText("⚠ " + e.getMessage()));

    CaptionCompleterPanel() {
        super(new BorderLayout(4, 4));
        setBorder(BorderFactory.createEmptyBorder(6, 6, 6, 6));
        JPanel fields = new JPanel();
        fields.setLayout(new BoxLayout(fields, BoxLayout.Y_AXIS));
        fields.add(labelled("Prompt", prompt));
        fields.add(labelled("Negative prompt", negative));
        fields.add(counter);
        add(fields, BorderLayout.NORTH);
        listPane.setPreferredSize(new Dimension(440, 150));
        add(listPane, BorderLayout.CENTER);
        add(buttons(), BorderLayout.SOUTH);
        for (JTextArea area : new JTextArea[]{prompt, negative}) {
            area.setLineWrap(true);
            area.setWrapStyleWord(true);
            area.getDocument().addDocumentListener(changes(area));
            area.addKeyListener(keys(area));
        }
        refresh();
    }

    private static JPanel labelled(String label, JTextArea area) {
        JPanel p = new JPanel(new BorderLayout());
        p.add(new JLabel(label), BorderLayout.NORTH);
        p.add(new JScrollPane(area), BorderLayout.CENTER);
        return p;
    }

    private JPanel buttons() {
        JPanel p = new JPanel();
        p.setLayout(new BoxLayout(p, BoxLayout.Y_AXIS));
        JPanel row = new JPanel();
        JButton choose = new JButton("Language model…");
        choose.addActionListener(e -> chooseLanguageModel());
        JButton none = new JButton("No LM");
        none.addActionListener(e -> {
            CaptionSession.setLanguageModel("");
            refresh();
        });
        JButton generate = new JButton("Generate");
        generate.addActionListener(e -> generate());
        row.add(choose);
        row.add(none);
        row.add(Box.createHorizontalStrut(12));
        row.add(generate);
        p.add(row);
        p.add(status);
        return p;
    }

    private DocumentListener changes(JTextArea area) {
        return new DocumentListener() {
            @Override
            public void insertUpdate(DocumentEvent e) {
                edited(area);
            }

            @Override
            public void removeUpdate(DocumentEvent e) {
                edited(area);
            }

            @Override
            public void changedUpdate(DocumentEvent e) {
            }
        };
    }

    private void edited(JTextArea area) {
        editing = area;
        Prefs.set(PROMPT_PREF, prompt.getText());
        Prefs.set(NEGATIVE_PREF, negative.getText());
        SwingUtilities.invokeLater(this::refresh); // the caret moves only after the document has changed
    }

    private void refresh() {
        int caret = Math.min(editing.getCaretPosition(), editing.getText().length());
        worker.request(new String[]{editing.getText().substring(0, caret), prompt.getText(), negative.getText()});
    }

    /** Off the Event Dispatch Thread: suggestions for the text before the caret, and both token counts. */
    private static Update compute(String[] texts) {
        CaptionSuggester s = CaptionSession.suggester();
        ClipTokenizer clip = CaptionSession.clipTokenizer();
        List<Suggestion> suggestions = texts[0].isEmpty() ? List.of() : s.suggest(texts[0], SUGGESTIONS);
        Embeddings embeddings = CaptionSession.embeddings();
        String count = "Prompt " + TokenCount.of(texts[1], clip, embeddings).format() + " · negative " + TokenCount.of(texts[2], clip, embeddings).format();
        String state = s.hasLanguageModel() ? "Suggestions: language model, tags" + (s.hasClipVocabulary() ? ", CLIP words" : "")
                : "No language model: only tag completion is active" + (s.hasClipVocabulary() ? " (and CLIP words)" : "");
        return new Update(suggestions, count, state);
    }

    private void show(Update u) {
        current.clear();
        current.addAll(u.suggestions());
        shown.clear();
        for (Suggestion s : current) {
            String token = s.singleClipToken() == null ? "" : s.singleClipToken() ? " · 1 CLIP token" : "";
            shown.addElement(s.text() + "   " + s.formattedScore() + " · " + s.source().label() + token);
        }
        list.setSelectedIndex(current.isEmpty() ? -1 : 0);
        listPane.setVisible(!current.isEmpty());
        counter.setText(u.counter());
        status.setText(u.status());
        revalidate();
    }

    private KeyAdapter keys(JTextArea area) {
        return new KeyAdapter() {
            @Override
            public void keyPressed(KeyEvent e) {
                if (current.isEmpty() || !listPane.isVisible()) {
                    return;
                }
                int i = list.getSelectedIndex();
                switch (e.getKeyCode()) {
                    case KeyEvent.VK_DOWN -> list.setSelectedIndex(Math.min(i + 1, current.size() - 1));
                    case KeyEvent.VK_UP -> list.setSelectedIndex(Math.max(i - 1, 0));
                    case KeyEvent.VK_TAB, KeyEvent.VK_ENTER -> accept(area, current.get(Math.max(i, 0)));
                    case KeyEvent.VK_ESCAPE -> {
                        worker.discardPending();
                        listPane.setVisible(false);
                        revalidate();
                    }
                    default -> {
                        return;
                    }
                }
                e.consume();
            }
        };
    }

    private void accept(JTextArea area, Suggestion s) {
        CaptionEdit edit = CaptionEdit.accept(area.getText(), area.getCaretPosition(), s);
        area.setText(edit.text());
        area.setCaretPosition(edit.caret());
    }

    private void chooseLanguageModel() {
        JFileChooser chooser = new JFileChooser(CaptionSession.languageModel());
        chooser.setFileSelectionMode(JFileChooser.DIRECTORIES_ONLY);
        chooser.setDialogTitle("GPT-2 model folder (model.safetensors + config.json)");
        if (chooser.showOpenDialog(this) == JFileChooser.APPROVE_OPTION) {
            CaptionSession.setLanguageModel(chooser.getSelectedFile().getPath());
            refresh();
        }
    }

    /** Runs Generate Image... with these prompts on a worker thread, recorded like the menu command. */
    private void generate() {
        String options = "prompt=[" + prompt.getText().replace('\n', ' ').strip() + "] negative=[" + negative.getText().replace('\n', ' ').strip() + "]";
        if (Recorder.record) {
            Recorder.recordString("run(\"Generate Image...\", \"" + options + "\");\n");
        }
        new Thread(() -> IJ.run("Generate Image...", options), "DiffusionJ generate").start();
    }

    /** For tests and screenshots: type into the prompt as a user would. */
    void typePrompt(String text) {
        prompt.setText(text);
        prompt.requestFocusInWindow();
    }
}
