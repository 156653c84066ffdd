package diffusionj.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code --flag value} and bare {@code --switch} arguments of one command, checked against what it accepts. */
final class Args {
    private final String command;
    private final Map<String, String> values = new HashMap<>();
    /** Every value of each flag, in order: some flags may be given more than once (the last wins for {@link #optional}). */
    private final Map<String, List<String>> all = new HashMap<>();

    Args(String command, String[] argv, int from, Set<String> valueFlags, Set<String> switches) {
        this.command = command;
        for (int i = from; i < argv.length; i++) {
            String flag = argv[i];
            if (switches.contains(flag)) {
                values.put(flag, "true");
            } else if (valueFlags.contains(flag)) {
                if (i + 1 >= argv.length) {
                    throw new UsageException(command + ": " + flag + " needs a value");
                }
                values.put(flag, argv[++i]);
                all.computeIfAbsent(flag, f -> new ArrayList<>()).add(argv[i]);
            } else {
                throw new UsageException(command + ": unknown argument '" + flag + "'");
            }
        }
    }

    boolean has(String flag) {
        return values.containsKey(flag);
    }

    String required(String flag) {
        String v = values.get(flag);
        if (v == null) {
            throw new UsageException(command + ": " + flag + " is required");
        }
        return v;
    }

    String optional(String flag, String fallback) {
        return values.getOrDefault(flag, fallback);
    }

    Path path(String flag) {
        return values.containsKey(flag) ? Path.of(values.get(flag)) : null;
    }

    /** Every path given with {@code flag}, in order; none: an empty list. */
    List<Path> paths(String flag) {
        return all.getOrDefault(flag, List.of()).stream().map(Path::of).toList();
    }

    long integer(String flag, long fallback, long min, long max) {
        if (!values.containsKey(flag)) {
            return fallback;
        }
        long v;
        try {
            v = Long.parseLong(values.get(flag));
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": " + flag + " must be a whole number, got '" + values.get(flag) + "'");
        }
        if (v < min || v > max) {
            throw new UsageException(command + ": " + flag + " must be between " + min + " and " + max + ", got " + v);
        }
        return v;
    }

    double decimal(String flag, double fallback, double min, double max) {
        if (!values.containsKey(flag)) {
            return fallback;
        }
        double v;
        try {
            v = Double.parseDouble(values.get(flag));
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": " + flag + " must be a number, got '" + values.get(flag) + "'");
        }
        if (!(v >= min && v <= max)) {
            throw new UsageException(command + ": " + flag + " must be between " + min + " and " + max + ", got " + v);
        }
        return v;
    }

    /** Exactly one of two flags. */
    String oneOf(String a, String b) {
        if (has(a) == has(b)) {
            throw new UsageException(command + ": give exactly one of " + a + " and " + b);
        }
        return has(a) ? a : b;
    }
}
