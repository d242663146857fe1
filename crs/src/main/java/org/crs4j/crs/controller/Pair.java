package org.crs4j.crs.controller;

/** One supervised example: the text the model reads and the text it should write. */
public record Pair(String prompt, String target) {
    public Pair {
        if (prompt == null || target == null) throw new IllegalArgumentException("a pair needs a prompt and a target");
    }
}
