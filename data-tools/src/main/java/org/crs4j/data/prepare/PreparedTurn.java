package org.crs4j.data.prepare;

import org.crs4j.data.model.Role;

/**
 * A turn after preparation: consecutive utterances of one speaker merged (as CRSLab does), items as catalogue indices
 * and entities as ids of the prepared graph, in order of appearance (item entities included).
 */
public record PreparedTurn(Role role, String text, int[] items, int[] entities) {}
