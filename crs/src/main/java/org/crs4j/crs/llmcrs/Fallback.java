package org.crs4j.crs.llmcrs;

/**
 * A stated fallback the pipeline took instead of failing, recorded in the turn's trace and counted in the run's
 * statistics.
 */
public record Fallback(Kind kind, String detail) {
    public enum Kind {
        /** The detection answer named no sub-task: the settings' fallback sub-task (Recommendation by default) is used. */
        DETECTION_UNPARSED,
        /** The LLM failed at detection (endpoint down, error): the fallback sub-task is used. */
        DETECTION_LLM_FAILED,
        /** The detected sub-task has no registered expert: the response is generated without an expert output. */
        NO_EXPERT,
        /** The matching answer named no registered expert of the sub-task: the first one registered is used. */
        MATCHING_UNKNOWN_ID,
        /** The LLM failed at matching: the first expert registered for the sub-task is used. */
        MATCHING_LLM_FAILED,
        /** The chosen expert failed (unreachable, bad reply): the next expert of the sub-task is tried, else no output. */
        EXPERT_FAILED,
        /** The LLM failed at response generation: the expert's output text is the response. */
        RESPONSE_LLM_FAILED,
        /** The LLM's response was empty: the expert's output text is the response. */
        RESPONSE_EMPTY,
        /** w/o E: the LLM failed at recommending: the candidates in order of similarity to the dialogue are the list. */
        RECOMMEND_LLM_FAILED,
        /** w/o E: the LLM's recommendation named no catalogue item: the candidates in order of similarity are the list. */
        RECOMMEND_NO_ITEM,
        /** The registry file changed but no longer loads: the previous registry is kept. */
        REGISTRY_RELOAD_FAILED
    }
}
