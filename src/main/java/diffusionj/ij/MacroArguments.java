package diffusionj.ij;

import java.util.Set;

/**
 * Reading a macro's {@code getArgument()} string in the same "key=value key=[value with spaces]" form as
 * ImageJ's command options, so macros need no parsing code of their own:
 * {@code model = call("diffusionj.ij.MacroArguments.get", getArgument(), "model", "");}
 */
public final class MacroArguments {
    private MacroArguments() {
    }

    public static String get(String arguments, String key, String fallback) {
        return new MacroOptions(arguments, Set.of()).get(key.toLowerCase(java.util.Locale.ROOT), fallback);
    }
}
