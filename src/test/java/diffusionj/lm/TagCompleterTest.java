package diffusionj.lm;

import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TagCompleterTest {

    private static TagCompleter of(String csv) {
        return TagCompleter.parse(new StringReader(csv), "test.csv");
    }

    @Test
    void prefixMatchesRankByCount() {
        TagCompleter t = of("long_hair,0,500,\nlong_sleeves,0,900,\nshort_hair,0,800,\n");
        List<TagCompleter.Suggestion> s = t.complete("long", 10);
        assertEquals(List.of("long_sleeves", "long_hair"), s.stream().map(TagCompleter.Suggestion::tag).toList());
        assertEquals("long_hair", t.complete("Long H", 10).get(0).tag(), "spaces match underscores, case ignored");
    }

    @Test
    void aliasesMatchAndSayWhichAliasMatched() {
        TagCompleter t = of("cat,0,100,\"kitten,feline\"\n");
        TagCompleter.Suggestion s = t.complete("fel", 5).get(0);
        assertEquals("cat", s.tag());
        assertEquals("feline", s.alias());
        assertNull(t.complete("ca", 5).get(0).alias());
    }

    @Test
    void quotedFieldsKeepCommasAndDoubledQuotes() {
        TagCompleter t = of("\"say \"\"cheese\"\", please\",0,5,\"a,b\"\n");
        assertEquals("say \"cheese\", please", t.complete("say", 1).get(0).tag());
        assertEquals("say \"cheese\", please", t.complete("b", 1).get(0).tag());
    }

    @Test
    void malformedLinesAreReportedWithTheirNumbersAndSkipped() {
        TagCompleter t = of("good,0,10,\n\nbad,0,many,\n,0,5,\n\"open,0,1,\nalso_good,1,,\n");
        assertEquals(2, t.size());
        assertEquals(3, t.warnings().size());
        assertTrue(t.warnings().get(0).contains("line 3") && t.warnings().get(0).contains("'many'"), t.warnings().get(0));
        assertTrue(t.warnings().get(1).contains("line 4") && t.warnings().get(1).contains("no tag name"));
        assertTrue(t.warnings().get(2).contains("line 5") && t.warnings().get(2).contains("unclosed quote"));
    }

    @Test
    void theBuiltInListLoadsCleanlyAndCoversMicroscopy() {
        TagCompleter t = TagCompleter.builtIn();
        assertTrue(t.warnings().isEmpty(), t.warnings().toString());
        assertTrue(t.size() > 50);
        assertEquals("fluorescence microscopy", t.complete("fluor", 3).get(0).tag());
        assertEquals("dapi nuclei", t.complete("hoechst", 3).get(0).tag());
        assertTrue(t.complete("", 5).isEmpty());
    }
}
