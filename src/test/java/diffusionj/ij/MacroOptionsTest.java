package diffusionj.ij;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MacroOptionsTest {

    @Test
    void promptsKeepTheirOwnSquareBracketsAndFlagsAreRecognised() {
        MacroOptions o = new MacroOptions("prompt=[a [red] cat, (blue:1.2) sky] negative=[] steps=20 token cfg=7.5 model=[/my models/x.safetensors]",
                GenerationForm.KEYS);
        assertEquals("a [red] cat, (blue:1.2) sky", o.get("prompt", null));
        assertEquals("", o.get("negative", null));
        assertEquals(20, o.number("steps", 0));
        assertTrue(o.has("token"));
        assertEquals(7.5, o.number("cfg", 0));
        assertEquals("/my models/x.safetensors", o.get("model", null));
        assertFalse(o.has("seed"));
        assertEquals(-1, o.number("seed", -1));
    }

    @Test
    void macroArgumentsTakeBracketedPathsWithSpaces() {
        String args = "model=[/my models/sd 1.5] out=/tmp/x steps=4";
        assertEquals("/my models/sd 1.5", MacroArguments.get(args, "model", ""));
        assertEquals("/tmp/x", MacroArguments.get(args, "out", ""));
        assertEquals("20", MacroArguments.get(args, "seed", "20"));
    }

    @Test
    void malformedValuesAreNamed() {
        MacroOptions o = new MacroOptions("steps=many", GenerationForm.KEYS);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> o.number("steps", 0));
        assertEquals("macro option steps=many is not a number", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new MacroOptions("prompt=[never closed", GenerationForm.KEYS));
    }
}
