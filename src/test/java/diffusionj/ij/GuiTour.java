package diffusionj.ij;

import diffusionj.scijava.DiffusionServices;
import diffusionj.scijava.ModelChoice;
import ij.IJ;
import ij.ImageJ;
import ij.WindowManager;

import javax.imageio.ImageIO;
import javax.swing.JFrame;
import javax.swing.SwingUtilities;
import java.awt.Dialog;
import java.awt.Frame;
import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.Window;
import java.awt.event.KeyEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A user's walk through the plugin in a real ImageJ window (run by {@link GuiTest} under a virtual display):
 * the Generate Image dialog, a generation with token maps through the menu command, the Model Manager and
 * the Caption Completer, each captured as a screenshot; the open windows are listed in windows.txt.
 * Arguments: OUT_DIR SD_MODEL GPT2_MODEL.
 */
public final class GuiTour {
    private GuiTour() {
    }

    public static void main(String[] args) {
        try {
            tour(args);
            System.exit(0);
        } catch (Throwable e) {
            e.printStackTrace();
            System.exit(1); // AWT's threads would keep a failed tour alive until the test's time-out
        }
    }

    private static void tour(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        Files.createDirectories(out);
        DiffusionServices.get().setDefaultModel(new ModelChoice(Path.of(args[1]), null));
        CaptionSession.setLanguageModel(args[2]);
        new ImageJ();
        Robot robot = new Robot();
        captureDialog(robot, "Generate Image...", "Generate Image", out.resolve("generate-dialog.png"));
        IJ.run("Generate Image...", "prompt=[a red circle on the left and a blue square on the right] negative=[blurry] steps=6 seed=42"
                + " width=256 height=256 token threshold=0.4");
        IJ.run("Tile");
        settle();
        capture(robot, new Rectangle(0, 0, 1280, 1024), out.resolve("plugin-result.png"));
        Files.write(out.resolve("windows.txt"), windowTitles());
        Files.writeString(out.resolve("recorded.txt"), recordAndReplay());
        captureDialog(robot, "Model Manager...", "DiffusionJ Model Manager", out.resolve("model-manager.png"));
        IJ.run("Caption Completer");
        settle();
        SwingUtilities.invokeAndWait(() -> ((CaptionCompleterPanel) frame("Caption Completer").getContentPane()).typePrompt("a red circle, soft li"));
        Thread.sleep(3000);
        settle();
        paint(frame("Caption Completer"), out.resolve("caption-completer.png"));
    }

    /**
     * Generate Image... filled in and confirmed with the Macro Recorder on (seed left at −1, random); the
     * recorded line is then run as a macro. Returns the line and whether both images have the same pixels.
     */
    private static String recordAndReplay() throws Exception {
        IJ.run("Record...");
        settle();
        IJ.doCommand("Generate Image..."); // as the menu does: on ImageJ's own thread, with recording
        ij.gui.GenericDialog gd = null;
        for (int i = 0; i < 100 && gd == null; i++) {
            Thread.sleep(100);
            for (Window w : Window.getWindows()) {
                if (w instanceof ij.gui.GenericDialog g && g.isShowing() && "Generate Image".equals(g.getTitle())) {
                    gd = g;
                }
            }
        }
        ij.gui.GenericDialog dialog = gd;
        SwingUtilities.invokeAndWait(() -> {
            List<java.awt.TextArea> areas = new ArrayList<>();
            collect(dialog, java.awt.TextArea.class, areas);
            areas.get(0).setText("a [red] circle,\nsoft lighting");
            areas.get(1).setText("blurry");
            java.util.Vector<?> numbers = dialog.getNumericFields();
            ((java.awt.TextField) numbers.get(0)).setText("3");   // steps
            ((java.awt.TextField) numbers.get(2)).setText("-1");  // seed: random
            ((java.awt.TextField) numbers.get(3)).setText("64");  // width
            ((java.awt.TextField) numbers.get(4)).setText("64");  // height
            java.awt.Button ok = dialog.getButtons()[0];
            for (java.awt.event.ActionListener l : ok.getActionListeners()) {
                l.actionPerformed(new java.awt.event.ActionEvent(ok, java.awt.event.ActionEvent.ACTION_PERFORMED, "OK"));
            }
        });
        ij.ImagePlus first = null;
        for (int i = 0; i < 1200 && first == null; i++) {
            Thread.sleep(100);
            ij.ImagePlus current = WindowManager.getCurrentImage();
            first = current != null && current.getTitle().startsWith("a [red] circle") ? current : null;
        }
        // The Recorder writes a command's line when the command returns, a moment after its image appears.
        String line = null;
        for (int i = 0; i < 300 && line == null; i++) {
            Thread.sleep(100);
            line = ij.plugin.frame.Recorder.getInstance().getText().lines()
                    .filter(l -> l.startsWith("run(\"Generate Image...\"")).findFirst().orElse(null);
        }
        if (first == null || line == null) {
            throw new IllegalStateException("the dialog's generation " + (first == null ? "made no image" : "was not recorded"));
        }
        IJ.runMacro(line);
        ij.ImagePlus second = WindowManager.getCurrentImage();
        boolean same = first != second && java.util.Arrays.equals((int[]) first.getProcessor().getPixels(), (int[]) second.getProcessor().getPixels());
        second.close();
        first.close();
        return line + "\nsame pixels: " + same + "\n";
    }

    private static <T> void collect(java.awt.Container c, Class<T> type, List<T> out) {
        for (java.awt.Component child : c.getComponents()) {
            if (type.isInstance(child)) {
                out.add(type.cast(child));
            } else if (child instanceof java.awt.Container inner) {
                collect(inner, type, out);
            }
        }
    }

    /** Opens a command's dialog, captures it, and cancels it with Esc as a user would. */
    private static void captureDialog(Robot robot, String command, String title, Path file) throws Exception {
        Thread t = new Thread(() -> IJ.run(command), "tour " + command);
        t.start();
        Dialog d = null;
        for (int i = 0; i < 100 && d == null; i++) {
            Thread.sleep(100);
            for (Window w : Window.getWindows()) {
                if (w instanceof Dialog dialog && dialog.isShowing() && title.equals(dialog.getTitle())) {
                    d = dialog;
                }
            }
        }
        if (d == null) {
            throw new IllegalStateException("the " + title + " dialog did not open");
        }
        settle();
        capture(robot, d.getBounds(), file);
        d.toFront();
        d.requestFocus();
        Thread.sleep(300);
        robot.keyPress(KeyEvent.VK_ESCAPE);
        robot.keyRelease(KeyEvent.VK_ESCAPE);
        t.join(10_000);
        if (d.isShowing()) {
            d.dispose();
        }
    }

    private static JFrame frame(String title) {
        for (Frame f : Frame.getFrames()) {
            if (f instanceof JFrame j && title.equals(j.getTitle()) && j.isShowing()) {
                return j;
            }
        }
        throw new IllegalStateException("no window '" + title + "'");
    }

    private static List<String> windowTitles() {
        List<String> titles = new ArrayList<>();
        for (int id : WindowManager.getIDList()) {
            titles.add("image: " + WindowManager.getImage(id).getTitle()
                    + (WindowManager.getImage(id).getOverlay() != null ? " [overlay " + WindowManager.getImage(id).getOverlay().size() + "]" : ""));
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

    /** The window's own drawing, whatever lies on top of it on the screen. */
    private static void paint(JFrame frame, Path file) throws Exception {
        java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(frame.getContentPane().getWidth(),
                frame.getContentPane().getHeight(), java.awt.image.BufferedImage.TYPE_INT_RGB);
        SwingUtilities.invokeAndWait(() -> {
            java.awt.Graphics2D g = image.createGraphics();
            frame.getContentPane().printAll(g);
            g.dispose();
        });
        ImageIO.write(image, "png", file.toFile());
    }

    private static void capture(Robot robot, Rectangle area, Path file) throws Exception {
        ImageIO.write(robot.createScreenCapture(area), "png", file.toFile());
    }
}
