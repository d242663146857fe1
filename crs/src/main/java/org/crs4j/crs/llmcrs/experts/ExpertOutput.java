package org.crs4j.crs.llmcrs.experts;

import java.util.List;

/**
 * What an expert returned.
 *
 * @param text  the sub-task output the response prompt shows (Table 1's Text, or the item list written out)
 * @param items items as catalogue indices, best first (a recommendation's ranked list; the item an explanation or a
 *              detail search is about); empty when none
 * @param notes what the expert could not do with the arguments ("unknown genre x: not filtered"), for the trace
 */
public record ExpertOutput(String text, int[] items, List<String> notes) {
    public ExpertOutput {
        if (text == null) throw new IllegalArgumentException("an expert output needs text");
        items = items == null ? new int[0] : items.clone();
        notes = List.copyOf(notes);
    }

    public static ExpertOutput text(String text) { return new ExpertOutput(text, new int[0], List.of()); }
}
