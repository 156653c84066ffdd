package diffusionj.ij;

import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.plugin.frame.Recorder;

import javax.imageio.ImageIO;
import javax.swing.JFileChooser;
import javax.swing.JFrame;
import javax.swing.JLabel;
import javax.swing.SwingUtilities;
import java.awt.Button;
import java.awt.Checkbox;
import java.awt.Choice;
import java.awt.Component;
import java.awt.Container;
import java.awt.Dialog;
import java.awt.Frame;
import java.awt.Label;
import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.TextArea;
import java.awt.TextComponent;
import java.awt.TextField;
import java.awt.Window;
import java.awt.event.ActionEvent;
import java.awt.event.ActionListener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A user's walk through every DiffusionJ menu command, in a real ImageJ window, each through its own dialog with
 * real input: Model Manager, About, Generate Image (with token maps; then again with the Macro Recorder on, and the
 * recorded line replayed; an SDXL file; the hires fix), Token Maps, Image to Image, Inpaint Selection, Word Maps of Image
 * (a grey image with a selection), PNG with Parameters and the Caption Completer. Any Exception window, error dialog or stack trace in the Log stops the walk and fails it. Screenshots
 * of each dialog and of the results go to OUT, with windows.txt (the open windows after the generation),
 * recorded.txt and tour.txt (each step, or the failure).
 * <p>
 * Started inside ImageJ as users start it ({@link UserLaunchTest}): from ImageJ's own {@code -eval} argument as
 * {@code call("diffusionj.ij.GuiTour.start", OUT, SD_MODEL, GPT2_MODEL)}, or by {@link FijiLikeLaunch}.
 */
public final class GuiTour {
    private static final String PROMPT = "a red circle on the left and a blue square";

    private final Path out;
    private final Robot robot;
    private final List<String> steps = new ArrayList<>();

    private GuiTour(Path out) throws Exception {
        this.out = out;
        this.robot = new Robot();
    }

    /** For ImageJ's {@code call()}: walks the tour, then ends the JVM with 0 (passed) or 1 (failed; see tour.txt). */
    public static String start(String out, String model, String languageModel) {
        System.exit(walk(Path.of(out), model, languageModel) ? 0 : 1);
        return "";
    }

    static boolean walk(Path out, String model, String languageModel) {
        GuiTour tour = null;
        try {
            Files.createDirectories(out);
            tour = new GuiTour(out);
            tour.walk(model, languageModel);
            tour.log("passed");
            return true;
        } catch (Throwable e) {
            if (tour != null) {
                tour.log("FAILED: " + e);
                tour.screenshot("failure.png");
            }
            e.printStackTrace();
            return false;
        }
    }

    private void walk(String model, String languageModel) throws Exception {
        waitForImageJ();
        dialog("Model Manager...", "DiffusionJ Model Manager", "model-manager.png", d -> setField(d, "Model", model));
        message("About DiffusionJ", "About DiffusionJ", "about.png");
        dialog("Generate Image...", "Generate Image", "generate-dialog.png", d -> {
            setPrompts(d, PROMPT, "blurry");
            setField(d, "Steps", "4");
            setField(d, "Seed", "42");
            setField(d, "Width", "64");
            setField(d, "Height", "64");
            check(d, "Token maps");
        });
        ImagePlus generated = image(PROMPT);
        expectWindows("Token maps of " + generated.getTitle(), "Token labels of " + generated.getTitle(), "ROI Manager");
        IJ.run("Tile");
        settle();
        screenshot("plugin-result.png");
        Files.write(out.resolve("windows.txt"), windowTitles());
        Files.writeString(out.resolve("recorded.txt"), recordAndReplay());

        WindowManager.setTempCurrentImage(null);
        generated.getWindow().toFront();
        WindowManager.setCurrentWindow(generated.getWindow());
        dialog("Token Maps...", "Token Maps", "token-maps-dialog.png", d -> setField(d, "Threshold", "0.5"));
        expectWindows("Token maps of " + generated.getTitle());

        WindowManager.setCurrentWindow(generated.getWindow());
        dialog("Image to Image...", "Image to Image", "image-to-image-dialog.png", d -> {
            setPrompts(d, "a red circle on the left and a green square", "");
            setField(d, "Steps", "4");
        });
        image("a red circle on the left and a green square");

        WindowManager.setCurrentWindow(generated.getWindow());
        generated.setRoi(new Rectangle(32, 0, 32, 64));
        dialog("Inpaint Selection...", "Inpaint Selection", "inpaint-dialog.png", d -> {
            setPrompts(d, "a yellow star", "");
            setField(d, "Steps", "4");
        });
        image("a yellow star");

        // An SDXL single file typed into the dialog: its own CFG ("auto") and size (0), a few-step schedule type.
        String sdxl = Path.of(model).toAbsolutePath().getParent().getParent().resolve("sdxl-tiny/model-ldm.safetensors").toString();
        dialog("Generate Image...", "Generate Image", "generate-sdxl-dialog.png", d -> {
            setPrompts(d, "a lighthouse at dusk", "");
            setField(d, "Model", sdxl);
            choose(d, "Schedule type", "sgm_uniform");
            setField(d, "Steps", "2");
            setField(d, "CFG scale", "auto");
            setField(d, "Seed", "7");
            setField(d, "Width", "0");
            setField(d, "Height", "0");
        });
        ImagePlus xl = image("a lighthouse at dusk");
        String info = (String) xl.getProperty("Info");
        if (xl.getWidth() != 64 || info == null || !info.contains("CFG scale: 5,") || !info.contains("Schedule type: SGM Uniform")) {
            throw new IllegalStateException("the SDXL generation is not what was asked: " + xl.getWidth() + "x" + xl.getHeight() + ", " + info);
        }

        // The hires fix from the dialog: generated at 64², reworked at twice the size.
        dialog("Generate Image...", "Generate Image", "generate-hires-dialog.png", d -> {
            setPrompts(d, "a green ring", "");
            setField(d, "Model", model);
            setField(d, "Steps", "3");
            setField(d, "CFG scale", "7.5");
            setField(d, "Seed", "9");
            setField(d, "Width", "64");
            setField(d, "Height", "64");
            setField(d, "Hires scale", "2");
            setField(d, "Hires steps", "2");
            choose(d, "Hires upscaler", "lanczos");
        });
        ImagePlus large = image("a green ring");
        String largeInfo = (String) large.getProperty("Info");
        if (large.getWidth() != 128 || largeInfo == null || !largeInfo.contains("Hires upscale: 2, Hires steps: 2, Hires upscaler: Lanczos")) {
            throw new IllegalStateException("the hires fix is not what was asked: " + large.getWidth() + "x" + large.getHeight() + ", " + largeInfo);
        }

        // Word maps of an image DiffusionJ did not make: a 16-bit ramp of an odd size, with an oval selection.
        ImagePlus cells = IJ.createImage("cells", "16-bit ramp", 70, 45, 1);
        cells.show();
        settle();
        cells.setRoi(new ij.gui.OvalRoi(10, 5, 30, 30));
        WindowManager.setCurrentWindow(cells.getWindow());
        dialog("Word Maps of Image...", "Word Maps of Image", "word-maps-dialog.png", d -> {
            setField(d, "Prompt", "a red circle");
            setField(d, "Model", model);
            setField(d, "Draws", "1");
        });
        expectWindows("Token maps of cells", "Token labels of cells");
        ImagePlus cellMaps = WindowManager.getImage("Token maps of cells");
        if (cellMaps.getWidth() != 70 || cellMaps.getHeight() != 45 || cellMaps.getProcessor().getf(0, 0) != 0) {
            throw new IllegalStateException("the word maps of the selection are not the image's size or not 0 outside it");
        }

        WindowManager.setCurrentWindow(generated.getWindow());
        savePngWithParameters(out.resolve("saved-with-parameters.png"));

        IJ.run("Caption Completer");
        settle();
        IJ.runMacro("call(\"diffusionj.ij.CaptionMacros.useLanguageModel\", \"" + languageModel.replace("\\", "/") + "\");");
        JFrame completer = frame("Caption Completer");
        SwingUtilities.invokeAndWait(() -> ((CaptionCompleterPanel) completer.getContentPane()).typePrompt("a red circle, soft li"));
        Thread.sleep(3000);
        settle();
        for (JLabel label : components(completer.getContentPane(), JLabel.class)) {
            if (label.getText() != null && label.getText().startsWith("⚠")) {
                throw new IllegalStateException("the Caption Completer reports: " + label.getText());
            }
        }
        paint(completer.getContentPane(), out.resolve("caption-completer.png"));
        log("Caption Completer: suggestions shown");
        failOnErrors(Set.of());
    }

    /**
     * Runs a menu command as the menu does (its own thread), waits for its dialog, captures it, fills it in, presses
     * OK, and waits for the command to finish, failing on any error window on the way.
     */
    private void dialog(String command, String title, String shot, Consumer<GenericDialog> fill) throws Exception {
        Thread run = new Thread(() -> IJ.run(command), "tour: " + command);
        run.start();
        GenericDialog d = (GenericDialog) waitForDialog(title);
        settle();
        paint(d, out.resolve(shot));
        SwingUtilities.invokeAndWait(() -> {
            fill.accept(d);
            press(d.getButtons()[0]);
        });
        finish(run, command);
    }

    /** A message box (IJ.showMessage): captured, then closed with its OK button. */
    private void message(String command, String title, String shot) throws Exception {
        Thread run = new Thread(() -> IJ.run(command), "tour: " + command);
        run.start();
        Dialog d = waitForDialog(title);
        settle();
        paint(d, out.resolve(shot));
        SwingUtilities.invokeAndWait(() -> press(components(d, Button.class).get(0)));
        finish(run, command);
    }

    /** File › Save As › PNG with Parameters... through ImageJ's save dialog (the JFileChooser one, an ImageJ option). */
    private void savePngWithParameters(Path file) throws Exception {
        ij.Prefs.useJFileChooser = true;
        Thread run = new Thread(() -> IJ.run("PNG with Parameters..."), "tour: save");
        run.start();
        JFileChooser chooser = null;
        for (int i = 0; i < 200 && chooser == null; i++) {
            Thread.sleep(100);
            failOnErrors(Set.of("Save as PNG with Parameters"));
            for (Window w : Window.getWindows()) {
                if (w.isShowing() && !components(w, JFileChooser.class).isEmpty()) {
                    chooser = components(w, JFileChooser.class).get(0);
                }
            }
        }
        if (chooser == null) {
            throw new IllegalStateException("the save dialog of PNG with Parameters did not open");
        }
        settle();
        screenshot("save-dialog.png");
        JFileChooser c = chooser;
        SwingUtilities.invokeAndWait(() -> {
            c.setSelectedFile(file.toFile());
            c.approveSelection();
        });
        finish(run, "PNG with Parameters...");
        String png = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        if (!png.contains("parameters") || !png.contains("Seed: 42")) {
            throw new IllegalStateException(file + " has no parameters text with the seed");
        }
    }

    private void finish(Thread run, String command) throws Exception {
        for (int i = 0; i < 3000 && run.isAlive(); i++) {
            run.join(100);
            failOnErrors(Set.of());
        }
        if (run.isAlive()) {
            throw new IllegalStateException(command + " did not finish within 300 s");
        }
        settle();
        failOnErrors(Set.of());
        log(command + ": done");
    }

    private Dialog waitForDialog(String title) throws Exception {
        for (int i = 0; i < 300; i++) {
            for (Window w : Window.getWindows()) {
                if (w instanceof Dialog d && d.isShowing() && title.equals(d.getTitle())) {
                    return d;
                }
            }
            failOnErrors(Set.of(title));
            Thread.sleep(100);
        }
        throw new IllegalStateException("the " + title + " dialog did not open");
    }

    /**
     * An Exception window (ImageJ's for uncaught exceptions), any dialog other than the expected ones (IJ.error's
     * message boxes, a macro error) or a stack trace in the Log: the text of each, as the failure.
     */
    private void failOnErrors(Set<String> expectedDialogs) {
        List<String> problems = new ArrayList<>();
        for (Window w : Window.getWindows()) {
            if (!w.isShowing()) {
                continue;
            }
            String title = w instanceof Dialog d ? d.getTitle() : w instanceof Frame f ? f.getTitle() : "";
            if (w instanceof ij.text.TextWindow t && title.startsWith("Exception")) {
                problems.add("Exception window: " + t.getTextPanel().getText());
            } else if (w instanceof Dialog && !expectedDialogs.contains(title)) {
                problems.add("dialog '" + title + "': " + text(w));
            }
        }
        String log = IJ.getLog();
        if (log != null && (log.contains("Exception") || log.contains("\tat "))) {
            problems.add("Log: " + log);
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException(String.join("\n", problems));
        }
    }

    private static String text(Container c) {
        StringBuilder s = new StringBuilder();
        for (Component child : components(c, Component.class)) {
            if (child instanceof Label l) {
                s.append(l.getText()).append(' ');
            } else if (child instanceof TextComponent t) {
                s.append(t.getText()).append(' ');
            } else if (child instanceof ij.gui.MultiLineLabel m) {
                s.append(hiddenText(m)).append(' ');
            }
        }
        return s.toString().strip();
    }

    /** MultiLineLabel (the text of ImageJ's message boxes) has no getter: its String fields, read as a debugger would. */
    private static String hiddenText(ij.gui.MultiLineLabel label) {
        StringBuilder s = new StringBuilder();
        for (java.lang.reflect.Field f : ij.gui.MultiLineLabel.class.getDeclaredFields()) {
            try {
                f.setAccessible(true);
                Object v = f.get(label);
                if (v instanceof String text) {
                    s.append(text).append(' ');
                } else if (v instanceof String[] lines) {
                    s.append(String.join(" ", lines)).append(' ');
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                s.append("(unreadable) ");
            }
        }
        return s.toString().strip();
    }

    /**
     * Generate Image... filled in and confirmed with the Macro Recorder on (seed left at −1, random); the
     * recorded line is then run as a macro. Returns the line and whether both images have the same pixels.
     */
    private String recordAndReplay() throws Exception {
        IJ.run("Record...");
        settle();
        IJ.doCommand("Generate Image..."); // as the menu does: on ImageJ's own thread, with recording
        GenericDialog dialog = (GenericDialog) waitForDialog("Generate Image");
        SwingUtilities.invokeAndWait(() -> {
            setPrompts(dialog, "a [red] circle,\nsoft lighting", "blurry");
            setField(dialog, "Steps", "3");
            setField(dialog, "Seed", "-1");
            press(dialog.getButtons()[0]);
        });
        ImagePlus first = image("a [red] circle");
        // The Recorder writes a command's line when the command returns, a moment after its image appears.
        String line = null;
        for (int i = 0; i < 300 && line == null; i++) {
            Thread.sleep(100);
            line = Recorder.getInstance().getText().lines().filter(l -> l.startsWith("run(\"Generate Image...\"")).findFirst().orElse(null);
        }
        if (line == null) {
            throw new IllegalStateException("the dialog's generation was not recorded");
        }
        IJ.runMacro(line);
        ImagePlus second = WindowManager.getCurrentImage();
        boolean same = first != second && java.util.Arrays.equals((int[]) first.getProcessor().getPixels(), (int[]) second.getProcessor().getPixels());
        second.close();
        first.close();
        Recorder.getInstance().close();
        log("Generate Image... recorded and replayed: same pixels " + same);
        return line + "\nsame pixels: " + same + "\n";
    }

    /** The newest image whose title starts with the prompt's start (titles are shortened), waiting for it to appear. */
    private ImagePlus image(String prompt) throws Exception {
        String prefix = prompt.substring(0, Math.min(30, prompt.length()));
        for (int i = 0; i < 1200; i++) {
            int[] ids = WindowManager.getIDList();
            if (ids != null) {
                for (int k = ids.length - 1; k >= 0; k--) {
                    ImagePlus imp = WindowManager.getImage(ids[k]);
                    if (imp != null && imp.getTitle().startsWith(prefix) && imp.getWindow() != null) {
                        return imp;
                    }
                }
            }
            failOnErrors(Set.of());
            Thread.sleep(100);
        }
        throw new IllegalStateException("no image titled '" + prefix + "…' appeared; windows: " + windowTitles());
    }

    private void expectWindows(String... titles) {
        List<String> open = windowTitles();
        for (String title : titles) {
            if (open.stream().noneMatch(w -> w.endsWith(": " + title) || w.contains(": " + title + " ["))) {
                throw new IllegalStateException("no window '" + title + "'; open: " + open);
            }
        }
    }

    private static void setPrompts(GenericDialog d, String prompt, String negative) {
        List<TextArea> areas = components(d, TextArea.class);
        areas.get(0).setText(prompt);
        areas.get(1).setText(negative);
    }

    /** The text field that follows the label {@code label} in the dialog (string, numeric or slider field). */
    private static void setField(GenericDialog d, String label, String value) {
        following(d, label, TextField.class).setText(value);
    }

    /** The first component of {@code type} after the label {@code label} in the dialog. */
    private static <T> T following(GenericDialog d, String label, Class<T> type) {
        List<Component> all = components(d, Component.class);
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i) instanceof Label l && label.equals(l.getText())) {
                for (int k = i + 1; k < all.size(); k++) {
                    if (type.isInstance(all.get(k))) {
                        return type.cast(all.get(k));
                    }
                }
            }
        }
        throw new IllegalStateException("the " + d.getTitle() + " dialog has no " + type.getSimpleName() + " after '" + label + "'");
    }

    /** Selects {@code item} in the choice that follows the label {@code label}. */
    private static void choose(GenericDialog d, String label, String item) {
        following(d, label, Choice.class).select(item);
    }

    private static void check(GenericDialog d, String label) {
        for (Checkbox box : components(d, Checkbox.class)) {
            if (label.equals(box.getLabel())) {
                box.setState(true);
                return;
            }
        }
        throw new IllegalStateException("the " + d.getTitle() + " dialog has no checkbox '" + label + "'");
    }

    private static void press(Button button) {
        for (ActionListener l : button.getActionListeners()) {
            l.actionPerformed(new ActionEvent(button, ActionEvent.ACTION_PERFORMED, button.getLabel()));
        }
    }

    /** Every component below {@code c} of the given type, depth first in layout order. */
    private static <T> List<T> components(Container c, Class<T> type) {
        List<T> found = new ArrayList<>();
        for (Component child : c.getComponents()) {
            if (type.isInstance(child)) {
                found.add(type.cast(child));
            }
            if (child instanceof Container inner) {
                found.addAll(components(inner, type));
            }
        }
        return found;
    }

    private static void waitForImageJ() throws Exception {
        for (int i = 0; i < 300 && (IJ.getInstance() == null || !IJ.getInstance().isShowing()); i++) {
            Thread.sleep(100);
        }
        if (IJ.getInstance() == null) {
            throw new IllegalStateException("ImageJ's window did not open");
        }
        settle();
    }

    private static JFrame frame(String title) throws Exception {
        for (int i = 0; i < 50; i++) {
            for (Frame f : Frame.getFrames()) {
                if (f instanceof JFrame j && title.equals(j.getTitle()) && j.isShowing()) {
                    return j;
                }
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no window '" + title + "'");
    }

    private static List<String> windowTitles() {
        List<String> titles = new ArrayList<>();
        int[] ids = WindowManager.getIDList();
        for (int id : ids == null ? new int[0] : ids) {
            ImagePlus imp = WindowManager.getImage(id);
            titles.add("image: " + imp.getTitle() + (imp.getOverlay() != null ? " [overlay " + imp.getOverlay().size() + "]" : ""));
        }
        for (Frame f : WindowManager.getNonImageWindows()) {
            titles.add("window: " + f.getTitle());
        }
        return titles;
    }

    private static void settle() throws Exception {
        SwingUtilities.invokeAndWait(() -> { });
        Thread.sleep(800);
    }

    private void log(String line) {
        steps.add(line);
        try {
            Files.write(out.resolve("tour.txt"), steps);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void screenshot(String name) {
        try {
            capture(new Rectangle(0, 0, 1280, 1024), out.resolve(name));
        } catch (Exception e) {
            steps.add("(no screenshot: " + e + ")");
        }
    }

    /** The component's own drawing, whatever lies on top of it on the screen. */
    private static void paint(Component c, Path file) throws Exception {
        java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(c.getWidth(), c.getHeight(),
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        SwingUtilities.invokeAndWait(() -> {
            java.awt.Graphics2D g = image.createGraphics();
            g.setColor(c.getBackground() == null ? java.awt.Color.LIGHT_GRAY : c.getBackground());
            g.fillRect(0, 0, c.getWidth(), c.getHeight());
            c.printAll(g);
            g.dispose();
        });
        ImageIO.write(image, "png", file.toFile());
    }

    private void capture(Rectangle area, Path file) throws Exception {
        ImageIO.write(robot.createScreenCapture(area), "png", file.toFile());
    }
}
