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

    public static void main(String[] args) throws Exception {
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
        captureDialog(robot, "Model Manager...", "DiffusionJ Model Manager", out.resolve("model-manager.png"));
        IJ.run("Caption Completer");
        settle();
        SwingUtilities.invokeAndWait(() -> ((CaptionCompleterPanel) frame("Caption Completer").getContentPane()).typePrompt("a red circle, soft li"));
        Thread.sleep(3000);
        settle();
        paint(frame("Caption Completer"), out.resolve("caption-completer.png"));
        System.exit(0);
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
