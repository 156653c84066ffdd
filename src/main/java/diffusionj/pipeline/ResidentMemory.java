package diffusionj.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's resident memory as Linux reports it in /proc/self/status: now (VmRSS) and the most since the last
 * reset (VmHWM), the figures a user's system monitor shows. Elsewhere the figures are −1 and resetting does nothing.
 */
public final class ResidentMemory {
    private ResidentMemory() {
    }

    public static double currentGiB() {
        return status("VmRSS");
    }

    public static double peakGiB() {
        return status("VmHWM");
    }

    /** The resident part of file mappings (RssFile): mapped weights, libraries. */
    public static double fileBackedGiB() {
        return status("RssFile");
    }

    /** Writing 5 to clear_refs sets the process's VmHWM back to its current resident size (Linux 4.0 and later). */
    public static void resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | RuntimeException e) {
            // Then the peak is the whole run's so far: still an upper bound.
        }
    }

    /**
     * Minor page faults of the process so far (field 10 of /proc/self/stat): each is a first touch of a page, the
     * cost that reusing memory avoids; −1 where unknown.
     */
    public static long minorPageFaults() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // Fields after the command name, which is in parentheses and may hold spaces.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[7]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static double status(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0 / 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
