package org.crs4j.data.prepare;

import java.util.List;

public record PreparedSplit(List<PreparedDialogue> dialogues, List<RecommendationSample> recommendations, List<ResponseSample> responses) {
    public PreparedSplit {
        dialogues = List.copyOf(dialogues);
        recommendations = List.copyOf(recommendations);
        responses = List.copyOf(responses);
    }

    /** The context turns of a response sample. */
    public List<PreparedTurn> context(ResponseSample s) { return dialogues.get(s.dialogue()).turns().subList(0, s.turn()); }

    public PreparedTurn response(ResponseSample s) { return dialogues.get(s.dialogue()).turns().get(s.turn()); }
}
