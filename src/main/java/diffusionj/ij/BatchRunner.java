package diffusionj.ij;

import java.awt.AWTEvent;
import java.awt.Component;
import java.awt.Container;
import java.awt.Dialog;
import java.awt.Label;
import java.awt.TextComponent;
import java.awt.Toolkit;
import java.awt.event.WindowEvent;

/**
 * {@code bin/diffusionj run MACRO [ARGS]}: ImageJ's {@code -batch} mode, made safe for unattended runs.
 * ImageJ 1.x reports macro errors in a modal dialog even in batch mode, and nobody is there to close it
 * on a server (the display is a virtual one): here any dialog that opens is printed to stderr and the run
 * ends with exit status 1 instead of waiting forever.
 */
public final class BatchRunner {
    /** Set while a batch run lasts: a failed command then ends the run with exit status 1. */
    static final String PROPERTY = "diffusionj.batchRunner";
    private BatchRunner() {
    }

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: BatchRunner MACRO.ijm [ARGS]");
            System.exit(2);
        }
        System.setProperty(PROPERTY, "true");
        Toolkit.getDefaultToolkit().addAWTEventListener(BatchRunner::failOnDialog, AWTEvent.WINDOW_EVENT_MASK);
        ij.ImageJ.main(new String[]{"-batch", args[0], args.length > 1 ? args[1] : ""});
    }

    private static void failOnDialog(AWTEvent event) {
        if (event.getID() == WindowEvent.WINDOW_OPENED && event.getSource() instanceof Dialog dialog) {
            StringBuilder text = new StringBuilder();
            collectText(dialog, text);
            System.err.println("macro stopped: " + dialog.getTitle() + ": " + text.toString().strip());
            Runtime.getRuntime().halt(1);
        }
    }

    private static void collectText(Container c, StringBuilder out) {
        for (Component child : c.getComponents()) {
            if (child instanceof Label l) {
                out.append(l.getText()).append('\n');
            } else if (child instanceof TextComponent t) {
                out.append(t.getText()).append('\n');
            } else if (child instanceof Container inner) {
                collectText(inner, out);
            }
        }
    }
}
