package org.crs4j.crs.llmcrs;

import java.util.List;
import java.util.Set;
import org.crs4j.crs.llmcrs.experts.ExpertOutput;

/**
 * Everything a turn did, stage by stage: what the chat's {@code /trace}, the server's {@code POST /v1/crs/turn} and
 * RLPF read.
 *
 * @param subTask          the sub-task executed, with its arguments
 * @param detectedBy       {@code llm}, {@code fallback} or {@code w/o-M}
 * @param ignoredArguments argument names the detection answer gave that the sub-task does not take
 * @param expertId         the expert that executed it, or null when none could
 * @param matchedBy        {@code llm}, {@code only candidate}, {@code fallback} or {@code w/o-M}
 * @param expertOutput     its output (what the response prompt summarises), or null
 * @param calls            every LLM call, in order (detection, matching, response; fewer when skipped)
 * @param fallbacks        the fallbacks taken
 * @param executionNanos   the expert's wall time
 * @param totalNanos       the turn's wall time
 */
public record TurnTrace(SubTaskCall subTask, String detectedBy, List<String> ignoredArguments, String expertId, String matchedBy,
                        ExpertOutput expertOutput, List<LlmCall> calls, List<Fallback> fallbacks, Set<Ablation> ablations,
                        long executionNanos, long totalNanos) {
    public TurnTrace {
        ignoredArguments = List.copyOf(ignoredArguments);
        calls = List.copyOf(calls);
        fallbacks = List.copyOf(fallbacks);
        ablations = Set.copyOf(ablations);
    }

    /** The call of a stage, if the turn made one. */
    public java.util.Optional<LlmCall> call(Stage stage) {
        return calls.stream().filter(c -> c.stage() == stage).findFirst();
    }
}
