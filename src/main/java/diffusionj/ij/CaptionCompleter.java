package diffusionj.ij;

import ij.IJ;
import ij.WindowManager;
import ij.plugin.PlugIn;

import javax.swing.JFrame;
import javax.swing.SwingUtilities;
import java.awt.GraphicsEnvironment;
import java.awt.Rectangle;
import java.awt.Window;

/**
 * Plugins › DiffusionJ › Caption Completer: the side panel, docked to the right of the active image window
 * (floating when no image is open). One panel per ImageJ session; choosing the command again brings it back.
 */
public class CaptionCompleter implements PlugIn {
    private static JFrame frame;

    @Override
    public void run(String arg) {
        if (GraphicsEnvironment.isHeadless()) {
            IJ.log("DiffusionJ: the Caption Completer is a window; in macros use call(\"diffusionj.ij.CaptionMacros.complete\", text, \"5\")");
            return;
        }
        SwingUtilities.invokeLater(CaptionCompleter::showFrame);
    }

    static JFrame showFrame() {
        if (frame == null) {
            frame = new JFrame("Caption Completer");
            frame.setDefaultCloseOperation(JFrame.HIDE_ON_CLOSE);
            frame.setContentPane(new CaptionCompleterPanel());
            frame.pack();
        }
        dock(frame);
        frame.setVisible(true);
        frame.toFront();
        return frame;
    }

    private static void dock(JFrame f) {
        Window image = WindowManager.getCurrentWindow();
        if (image == null) {
            f.setLocationByPlatform(true);
            return;
        }
        Rectangle b = image.getBounds();
        f.setLocation(b.x + b.width + 4, b.y);
    }
}
