package diffusionj.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reading the JSON files of model folders with errors that name the file. */
public final class JsonFiles {
    private JsonFiles() {
    }

    public static JsonElement read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException("missing file " + file);
        }
        try {
            return JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (JsonParseException e) {
            throw new CheckpointException(file + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    public static JsonObject readObject(Path file) {
        JsonElement e = read(file);
        if (!e.isJsonObject()) {
            throw new CheckpointException(file + " should hold a JSON object");
        }
        return e.getAsJsonObject();
    }

    /** An object of name → whole number, such as a tokenizer's {@code vocab.json}. */
    public static java.util.Map<String, Integer> readIntegers(Path file) {
        java.util.Map<String, Integer> out = new java.util.HashMap<>();
        for (java.util.Map.Entry<String, JsonElement> e : readObject(file).entrySet()) {
            if (!e.getValue().isJsonPrimitive() || !e.getValue().getAsJsonPrimitive().isNumber()) {
                throw new CheckpointException(file + ": the value of '" + e.getKey() + "' should be a number");
            }
            out.put(e.getKey(), e.getValue().getAsInt());
        }
        return out;
    }
}
