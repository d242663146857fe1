package org.crs4j.crs.llm;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Sections of {@link PromptTemplate}: kept with a value, dropped with their text without one. */
class PromptTemplateSectionsTest {
    @Test
    void sectionsDropWithTheirSlot() {
        var t = PromptTemplate.parse("t.txt", "A {{x}}.{{#y}} Y is {{y}} {\"json\": 1}.{{/y}} End {{ x }}.", Set.of("x", "y"), Set.of("x"));
        assertEquals("A 1. Y is 2 {\"json\": 1}. End 1.", t.render(Map.of("x", "1", "y", "2")));
        Map<String, String> noY = new HashMap<>();
        noY.put("x", "1");
        noY.put("y", null);
        assertEquals("A 1. End 1.", t.render(noY));
        assertEquals("A 1. End 1.", t.render(Map.of("x", "1")));
        assertEquals(List.of("x", "y"), List.copyOf(t.slots()));
        var nested = PromptTemplate.parse("n", "{{#a}}a{{#b}}b={{b}}{{/b}};{{/a}}.", Set.of("a", "b"), Set.of());
        assertEquals("ab=2;.", nested.render(Map.of("a", "1", "b", "2")));
        assertEquals("a;.", nested.render(Map.of("a", "1")));
        assertEquals(".", nested.render(Map.of("b", "2")));
    }

    @Test
    void unbalancedSectionsAreOneLineNamingTheTemplate() {
        assertEquals("t: section {{#a}} is never closed",
                assertThrows(IllegalArgumentException.class, () -> PromptTemplate.parse("t", "{{#a}}x", Set.of("a"), Set.of())).getMessage());
        assertEquals("t line 2: {{/b}} closes {{#a}}",
                assertThrows(IllegalArgumentException.class, () -> PromptTemplate.parse("t", "{{#a}}x\n{{/b}}", Set.of("a", "b"), Set.of())).getMessage());
        assertEquals("t line 1: {{/a}} closes no section",
                assertThrows(IllegalArgumentException.class, () -> PromptTemplate.parse("t", "{{/a}}", Set.of("a"), Set.of())).getMessage());
        assertEquals("t line 1: unknown slot {{c}} (this prompt's slots: a)",
                assertThrows(IllegalArgumentException.class, () -> PromptTemplate.parse("t", "{{#c}}{{/c}}", Set.of("a"), Set.of())).getMessage());
        var t = PromptTemplate.parse("t", "{{#a}}{{b}}{{/a}}", Set.of("a", "b"), Set.of());
        assertEquals("t: no value for slot {{b}}", assertThrows(IllegalArgumentException.class, () -> t.render(Map.of("a", "1"))).getMessage());
    }
}
