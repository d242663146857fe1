package org.crs4j.data.prepare;

import java.util.List;
import org.crs4j.data.model.Role;

/**
 * A turn after preparation: consecutive utterances of one speaker merged (as CRSLab does), items as catalogue indices
 * and entities as ids of the prepared graph, in order of appearance (item entities included), and the dialogue acts
 * the dataset annotates (TG-ReDial's goal-path actions; empty elsewhere), merged turns' acts in order without repeats.
 */
public record PreparedTurn(Role role, String text, int[] items, int[] entities, List<String> acts) {
    public PreparedTurn {
        acts = List.copyOf(acts);
    }

    /** A turn without annotated acts (every dataset but TG-ReDial, and chat input). */
    public PreparedTurn(Role role, String text, int[] items, int[] entities) { this(role, text, items, entities, List.of()); }
}
