package org.crs4j.crs.llmcrs.experts;

/**
 * An expert model of seed 000 §3.3: executes one sub-task call on the dialogue so far. In process ({@code local:NAME})
 * or over HTTP ({@link HttpExpert}); either way the pipeline only sees this interface.
 */
public interface Expert {
    /**
     * @throws ExpertException when the expert cannot answer (unreachable, bad reply, missing data): one line; the
     *                         pipeline falls back and counts it
     */
    ExpertOutput execute(ExpertRequest request);
}
