package org.crs4j.data.prepare;

import java.util.List;

public record PreparedDialogue(String id, List<PreparedTurn> turns) {
    public PreparedDialogue { turns = List.copyOf(turns); }
}
