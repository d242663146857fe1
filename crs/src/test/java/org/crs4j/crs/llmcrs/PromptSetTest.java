package org.crs4j.crs.llmcrs;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptSetTest {
    @TempDir Path dir;

    @Test
    void theShippedPromptsFollowTable2() {
        PromptSet p = PromptSet.defaults();
        String detection = p.template(Stage.DETECTION).render(Map.of("subtask_list", "L", "dialogue_context", "C"));
        assertTrue(detection.startsWith("The AI assistant should analyze the dialogue context to detect which sub-task should be selected. "
                + "The sub-tasks include: L. The dialogue context is C"), detection);
        assertFalse(detection.contains("schema"), "w/o SI drops the schema sentence");
        String full = p.template(Stage.DETECTION).render(Map.of("subtask_list", "L", "dialogue_context", "C", "subtask_schema", "S",
                "schema_example", "E", "demonstrations", "D"));
        assertTrue(full.contains("The sub-task schema is S (name the arguments you know, e.g. E). There are some cases for your reference: D The dialogue context is C"), full);
        assertEquals("Case 2: the dialogue context is X The selected sub-task is Y.",
                p.demonstration().render(Map.of("case_number", "2", "dialogue_context", "X", "subtask", "Y")).strip());
        assertTrue(full.strip().endsWith("The sub-task MUST be selected from the above list and represented by the schema."), full);
        for (SubTask t : SubTask.values()) assertFalse(p.goal(t).isBlank());
    }

    @Test
    void aPromptsFolderReplacesOnlyTheFilesItHoldsAndBadFilesAreOneLine() throws Exception {
        Files.writeString(dir.resolve("response.txt"), "Say it: {{subtask_output}} to {{dialogue_context}} via {{expert}} for {{subtask_name}}");
        PromptSet p = PromptSet.load(dir);
        assertEquals("Say it: O to C via E for N", p.template(Stage.RESPONSE).render(Map.of("subtask_output", "O", "dialogue_context", "C", "expert", "E", "subtask_name", "N")));
        assertEquals(PromptSet.defaults().template(Stage.DETECTION).render(Map.of("subtask_list", "L", "dialogue_context", "C")),
                p.template(Stage.DETECTION).render(Map.of("subtask_list", "L", "dialogue_context", "C")));
        Files.writeString(dir.resolve("matching.txt"), "{{subtask_goal}} {{experts}}\n{{exprets}}");
        assertEquals(dir.resolve("matching.txt") + " line 2: unknown slot {{exprets}} (this prompt's slots: experts, subtask_goal, subtask_name)",
                assertThrows(IllegalArgumentException.class, () -> PromptSet.load(dir)).getMessage());
        Files.writeString(dir.resolve("matching.txt"), "{{subtask_goal}} and nothing else");
        assertEquals(dir.resolve("matching.txt") + ": the prompt must use the slot {{experts}}",
                assertThrows(IllegalArgumentException.class, () -> PromptSet.load(dir)).getMessage());
        Files.delete(dir.resolve("matching.txt"));
        Files.write(dir.resolve("response_raw.txt"), new byte[] {(byte) 0xff, (byte) 0xfe, '{', '{'});
        assertEquals(dir.resolve("response_raw.txt") + ": not valid UTF-8", assertThrows(IllegalArgumentException.class, () -> PromptSet.load(dir)).getMessage());
        Files.delete(dir.resolve("response_raw.txt"));
        Files.writeString(dir.resolve("goals.properties"), "recommendation = recommend\nexplanation = explain\n");
        assertEquals(dir.resolve("goals.properties") + ": missing goal for sub-task \"preference_elicitation\"",
                assertThrows(IllegalArgumentException.class, () -> PromptSet.load(dir)).getMessage());
        Files.writeString(dir.resolve("goals.properties"), "recomendation = x\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PromptSet.load(dir)).getMessage()
                .startsWith(dir.resolve("goals.properties") + ": unknown sub-task \"recomendation\" (known: "));
        assertEquals("--prompts " + dir.resolve("absent") + ": not a folder", assertThrows(IllegalArgumentException.class, () -> PromptSet.load(dir.resolve("absent"))).getMessage());
    }
}
