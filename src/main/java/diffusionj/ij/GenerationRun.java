package diffusionj.ij;

import diffusionj.io.CheckpointException;
import diffusionj.pipeline.CancelledException;
import diffusionj.pipeline.GenerationException;
import diffusionj.pipeline.GenerationResult;
import diffusionj.pipeline.InitImage;
import diffusionj.pipeline.ProgressListener;
import diffusionj.scijava.DiffusionService;
import diffusionj.scijava.ModelChoice;
import diffusionj.text.PromptException;
import ij.IJ;
import ij.Macro;
import ij.macro.Interpreter;

import java.awt.Button;
import java.awt.EventQueue;
import java.awt.Frame;
import java.awt.GraphicsEnvironment;
import java.awt.Label;
import java.awt.Panel;
import java.awt.event.WindowAdapter;
import java.awt.event.WindowEvent;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * One generation from a menu command or macro: progress in ImageJ's bar and status line ("step i/N, ETA"),
 * cancellation between steps by Esc or the Cancel window, and errors reported as ImageJ users expect — a
 * dialog in the GUI, the Log and an aborted macro in a macro or batch. Runs on the calling thread, which
 * ImageJ makes a worker thread for menu commands; never call it on the Event Dispatch Thread.
 */
final class GenerationRun {
    private GenerationRun() {
    }

    /** What a command asks of the service, given the run's progress and cancellation. */
    interface Work<T> {
        T run(ProgressListener progress, BooleanSupplier cancelled);
    }

    /** The result, or null when the run failed or was cancelled (already reported). */
    static GenerationResult run(DiffusionService service, GenerationForm.Values form, InitImage init) {
        // A width or height of 0 and CFG "auto" become the model's own in the pipeline, once it is loaded.
        return run(form.model(), (progress, cancelled) -> service.generate(form.model(), form.request(), form.folders(), init,
                form.tokenMaps(), progress, cancelled));
    }

    /** Any work with a model, with progress, cancellation and error reports as for a generation; null when it failed. */
    static <T> T run(ModelChoice model, Work<T> work) {
        if (EventQueue.isDispatchThread()) {
            throw new IllegalStateException("generation must not run on the Event Dispatch Thread");
        }
        AtomicBoolean cancelled = new AtomicBoolean();
        IJ.resetEscape();
        Frame cancelWindow = showCancelWindow(cancelled);
        try {
            IJ.showStatus("DiffusionJ: loading " + model.model().getFileName());
            return work.run(progress(), () -> cancelled.get() || IJ.escapePressed());
        } catch (CancelledException e) {
            IJ.showStatus("DiffusionJ: " + e.getMessage());
            abortMacro("DiffusionJ: " + e.getMessage());
            return null;
        } catch (GenerationException | CheckpointException | PromptException | IllegalArgumentException e) {
            report(e.getMessage());
            return null;
        } finally {
            IJ.showProgress(1.0);
            if (cancelWindow != null) {
                cancelWindow.dispose();
            }
        }
    }

    private static ProgressListener progress() {
        return new ProgressListener() {
            @Override
            public void step(int done, int total, double seconds) {
                IJ.showProgress(done, total);
                double eta = seconds / done * (total - done);
                IJ.showStatus(String.format("DiffusionJ: step %d/%d, ETA %.0f s (Esc cancels)", done, total, eta));
            }

            @Override
            public void stage(String what) {
                IJ.showStatus("DiffusionJ: " + what);
            }
        };
    }

    /** A user mistake: a dialog in the GUI; in a macro or batch, the Log and the macro stops. */
    static void report(String message) {
        if (inMacroOrBatch()) {
            IJ.log("DiffusionJ: " + message);
            abortMacro(null);
        } else {
            IJ.error("DiffusionJ", message);
        }
    }

    private static boolean inMacroOrBatch() {
        return Macro.getOptions() != null || Interpreter.isBatchMode() || GraphicsEnvironment.isHeadless() || IJ.getInstance() == null;
    }

    private static void abortMacro(String logLine) {
        if (logLine != null && inMacroOrBatch()) {
            IJ.log(logLine);
        }
        if (Boolean.getBoolean(BatchRunner.PROPERTY)) {
            System.exit(1); // an unattended run: the caller learns of the failure from the exit status
        }
        Interpreter running = Interpreter.getInstance();
        if (running != null) {
            running.abortMacro();
        }
        Macro.abort();
    }

    /** A small window with a Cancel button while the run lasts; none in batch mode or headless. */
    private static Frame showCancelWindow(AtomicBoolean cancelled) {
        if (GraphicsEnvironment.isHeadless() || Interpreter.isBatchMode() || IJ.getInstance() == null) {
            return null;
        }
        Frame f = new Frame("DiffusionJ");
        Panel p = new Panel();
        p.add(new Label("Generating…"));
        Button cancel = new Button("Cancel");
        cancel.addActionListener(e -> cancelled.set(true));
        p.add(cancel);
        f.add(p);
        f.addWindowListener(new WindowAdapter() {
            @Override
            public void windowClosing(WindowEvent e) {
                cancelled.set(true);
            }
        });
        f.pack();
        f.setLocationRelativeTo(IJ.getInstance());
        f.setVisible(true);
        return f;
    }
}
