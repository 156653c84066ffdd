package diffusionj.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import diffusionj.io.JsonFiles;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The {@code --texts-json FILE} argument: a JSON array of strings. */
final class Texts {
    private Texts() {
    }

    static List<String> read(Path file) {
        JsonElement root = JsonFiles.read(file);
        if (!root.isJsonArray()) {
            throw new UsageException(file + " must hold a JSON array of strings");
        }
        JsonArray array = root.getAsJsonArray();
        List<String> texts = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            JsonElement e = array.get(i);
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                throw new UsageException(file + ": element " + i + " is not a string: " + e);
            }
            texts.add(e.getAsString());
        }
        return texts;
    }
}
