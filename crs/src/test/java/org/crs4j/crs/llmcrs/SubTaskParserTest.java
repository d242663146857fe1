package org.crs4j.crs.llmcrs;

import static org.junit.jupiter.api.Assertions.*;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SubTaskParserTest {
    private static SubTaskCall parse(String s) {
        var r = SubTaskParser.parse(s);
        assertTrue(r.parsed(), () -> s + ": " + r.problem());
        return r.call();
    }

    @Test
    void renderedCallsReadBackExactlyOnRandomArguments() {
        Random rnd = new Random(7);
        String[] values = {"horror", "The Shining (1980)", "Star Wars: Episode IV", "Crazy, Stupid, Love", "director", "年份", "Amélie", "science fiction"};
        for (int i = 0; i < 500; i++) {
            SubTask t = SubTask.values()[rnd.nextInt(4)];
            Map<String, String> args = new LinkedHashMap<>();
            for (String a : t.namedArguments()) if (rnd.nextBoolean()) args.put(a, values[rnd.nextInt(values.length)]);
            SubTaskCall call = new SubTaskCall(t, args);
            assertEquals(call, parse(call.render()), call.render());
            assertEquals(call, parse("The selected sub-task is " + call.render() + "."), "with text around it");
        }
    }

    @Test
    void looseFormsInstructionModelsWrite() {
        assertEquals(SubTaskCall.of(SubTask.RECOMMENDATION, "category", "comedy"), parse("recommendation(category: \"comedy\")"));
        assertEquals(SubTaskCall.of(SubTask.ITEM_DETAIL_SEARCH), parse("item_detail_search"));
        assertEquals(SubTaskCall.of(SubTask.PREFERENCE_ELICITATION), parse("I would select User Preference Elicitation here."));
        assertEquals(new SubTaskCall(SubTask.ITEM_DETAIL_SEARCH, Map.of("item name", "Titanic", "item attribute", "year")),
                parse("Item Detail Search(item name=Titanic, item attribute=year)"));
        assertEquals(SubTaskCall.of(SubTask.EXPLANATION, "item name", "Heat"),
                parse("{\"sub-task\": \"Explanation\", \"arguments\": {\"item_name\": \"Heat\", \"dialogue context\": \"...\"}}"));
        var r = SubTaskParser.parse("Recommendation(category=horror; mood=dark; dialogue context=the above) -> Item");
        assertEquals(List.of("mood"), r.ignored(), "an argument the sub-task does not take; the context is always passed");
        assertEquals("horror", r.call().argument("category"));
    }

    @Test
    void answersWithoutASubTaskSayWhyAndNeverThrow() {
        for (String s : new String[] {"", "   ", "Once upon a time there was a little girl.", "{\"task\": \"dance\"}", "{{{", "Recommend", "(((", "a=b; c=d"}) {
            var r = SubTaskParser.parse(s);
            assertFalse(r.parsed(), s);
            assertNotNull(r.problem());
        }
        assertFalse(SubTaskParser.parse(null).parsed());
    }
}
