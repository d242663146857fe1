package org.crs4j.data.model;

import java.util.List;

/** A conversation: its id in the source file, and its turns in order. */
public record Dialogue(String id, List<Turn> turns) {
    public Dialogue {
        if (id == null) throw new IllegalArgumentException("id is null");
        turns = List.copyOf(turns);
    }
}
