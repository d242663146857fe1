package org.crs4j.crs.llmcrs;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptTemplateTest {
    @TempDir Path dir;

    @Test
    void slotsAreFilledAndSectionsDropWithTheirSlot() {
        var t = PromptTemplate.parse("t.txt", "A {{x}}.{{#y}} Y is {{y}} {\"json\": 1}.{{/y}} End {{ x }}.", Set.of("x"), Set.of("y"));
        assertEquals("A 1. Y is 2 {\"json\": 1}. End 1.", t.render(Map.of("x", "1", "y", "2")));
        Map<String, String> noY = new HashMap<>();
        noY.put("x", "1");
        noY.put("y", null);
        assertEquals("A 1. End 1.", t.render(noY));
    }

    @Test
    void badTemplatesAreOneLineNamingFileAndSlot() {
        var unknown = assertThrows(IllegalArgumentException.class, () -> PromptTemplate.parse("detection.txt", "a\n{{contxt}}", Set.of("context"), Set.of()));
        assertEquals("detection.txt: unknown slot {{contxt}} at line 2 (this stage's slots: context)", unknown.getMessage());
        var missing = assertThrows(IllegalArgumentException.class, () -> PromptTemplate.parse("response.txt", "no slots", Set.of("subtask_output"), Set.of()));
        assertEquals("response.txt: missing slot {{subtask_output}} (required by this stage)", missing.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PromptTemplate.parse("t", "{{#a}}x", Set.of(), Set.of("a")));
        assertThrows(IllegalArgumentException.class, () -> PromptTemplate.parse("t", "{{#a}}x{{/b}}", Set.of(), Set.of("a", "b")));
        assertThrows(IllegalArgumentException.class, () -> PromptTemplate.parse("t", "{{/a}}", Set.of(), Set.of("a")));
    }

    @Test
    void aPromptsFolderReplacesOnlyTheFilesItHolds() throws Exception {
        Files.writeString(dir.resolve("response.txt"), "Say it: {{subtask_output}} to {{dialogue_context}} via {{expert}} for {{subtask_name}}");
        PromptSet p = PromptSet.load(dir);
        assertEquals("Say it: O to C via E for N", p.template(Stage.RESPONSE).render(Map.of("subtask_output", "O", "dialogue_context", "C", "expert", "E", "subtask_name", "N")));
        assertEquals(PromptSet.defaults().template(Stage.DETECTION).render(Map.of("subtask_list", "L", "dialogue_context", "C")),
                p.template(Stage.DETECTION).render(Map.of("subtask_list", "L", "dialogue_context", "C")));
        Files.writeString(dir.resolve("matching.txt"), "{{subtask_goal}} {{experts}} {{exprets}}");
        var e = assertThrows(IllegalArgumentException.class, () -> PromptSet.load(dir));
        assertTrue(e.getMessage().startsWith(dir.resolve("matching.txt") + ": unknown slot {{exprets}}"), e.getMessage());
        Files.delete(dir.resolve("matching.txt"));
        Files.writeString(dir.resolve("goals.properties"), "recommendation = recommend\nexplanation = explain\n");
        var g = assertThrows(IllegalArgumentException.class, () -> PromptSet.load(dir));
        assertEquals(dir.resolve("goals.properties") + ": missing goal for sub-task \"preference_elicitation\"", g.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PromptSet.load(dir.resolve("absent")));
    }
}
