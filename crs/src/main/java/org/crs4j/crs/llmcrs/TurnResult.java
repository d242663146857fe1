package org.crs4j.crs.llmcrs;

/**
 * What one LLMCRS turn produced.
 *
 * @param response   the system's reply
 * @param items      what the turn recommends, catalogue indices best first: the items the response names (in order of
 *                   mention), then, when the sub-task was Recommendation, the rest of the expert's ranked list. HIT
 *                   and the other ranking metrics are computed on this list, so they depend on what the LLM
 *                   generated: the sub-task it detected (only Recommendation brings the expert's list), its
 *                   {@code category} argument (which filters that list), the expert it chose, and the items it names.
 * @param namedItems the items the response names
 * @param trace      the stages
 */
public record TurnResult(String response, int[] items, int[] namedItems, TurnTrace trace) {
    /** The 1-based rank of an item in {@link #items}, or 0 when absent. */
    public int rankOf(int item) {
        for (int i = 0; i < items.length; i++) if (items[i] == item) return i + 1;
        return 0;
    }
}
