package org.crs4j.crs.llmcrs.experts;

import org.crs4j.crs.llmcrs.SubTask;

/**
 * One entry of the expert registry.
 *
 * @param endpoint {@code local:NAME} (an expert in this process, see {@link LocalExperts}) or an {@code http(s)://}
 *                 URL speaking the protocol of {@link HttpExpert}
 * @param timeoutSeconds for HTTP endpoints: the whole call's limit
 */
public record ExpertSpec(String id, SubTask subTask, ExpertDescription description, String endpoint, double timeoutSeconds) {
    /** "[id, description]", as the model-matching prompt lists experts. */
    public String promptEntry() { return "[" + id + ", " + description.render() + "]"; }
}
