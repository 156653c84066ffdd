package diffusionj.lm;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** LoRA tags and embedding names are completed as the web UIs' tag autocompletion completes them. */
class ExtraNetworkCompleterTest {
    private final ExtraNetworkCompleter completer = new ExtraNetworkCompleter(List.of("kohya", "KoalaStyle", "watercolour"), List.of("badneg", "mychar"));

    @Test
    void afterLoraColonTheFoldersLorasAreProposedAsWholeTags() {
        List<Suggestion> s = completer.complete("a cat <lora:ko", 5);
        assertEquals(List.of("<lora:kohya:1>", "<lora:KoalaStyle:1>"), s.stream().map(Suggestion::text).toList());
        assertEquals("a cat <lora:kohya:1>", s.get(0).applyTo("a cat <lora:ko"));
        assertEquals(3, completer.complete("<lora:", 5).size());
    }

    @Test
    void aWordThatBeginsAnEmbeddingsNameIsCompletedToIt() {
        List<Suggestion> s = completer.complete("blurry, bad", 5);
        assertEquals(List.of("badneg"), s.stream().map(Suggestion::text).toList());
        assertEquals(Suggestion.Source.EMBEDDING, s.get(0).source());
        assertEquals("blurry, badneg", s.get(0).applyTo("blurry, bad"));
        assertEquals(List.of(), completer.complete("badneg", 5));
    }

    @Test
    void theSuggesterProposesOnlyLorasInsideATagAndNamesFirstElsewhere() {
        CaptionSuggester suggester = new CaptionSuggester(TagCompleter.builtIn(), null, null, null, completer);
        assertEquals(List.of("<lora:watercolour:1>"), suggester.suggest("a cat <lora:wat", 5).stream().map(Suggestion::text).toList());
        assertEquals("mychar", suggester.suggest("a photo of my", 5).get(0).text());
    }
}
