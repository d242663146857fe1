package org.crs4j.crs.llmcrs;

import java.util.Set;

/**
 * The LLM-facing stages of seed 000 §3 (execution calls an expert, not the LLM), each with its template file and the
 * slots that file may use. {@code response_raw} is the response stage of the w/o SG ablation: the raw expert output
 * instead of the structured summary; {@code recommend} is the w/o E ablation's recommendation by the LLM itself, from
 * candidates ranked by their similarity to the dialogue.
 */
public enum Stage {
    DETECTION("detection", "detection.txt", Set.of(Slots.SUBTASK_LIST, Slots.DIALOGUE_CONTEXT),
            Set.of(Slots.SUBTASK_SCHEMA, Slots.SCHEMA_EXAMPLE, Slots.DEMONSTRATIONS)),
    MATCHING("matching", "matching.txt", Set.of(Slots.SUBTASK_GOAL, Slots.EXPERTS), Set.of(Slots.SUBTASK_NAME)),
    RESPONSE("response", "response.txt", Set.of(Slots.DIALOGUE_CONTEXT, Slots.SUBTASK_NAME, Slots.EXPERT, Slots.SUBTASK_OUTPUT), Set.of()),
    RESPONSE_RAW("response", "response_raw.txt", Set.of(Slots.DIALOGUE_CONTEXT, Slots.SUBTASK_OUTPUT), Set.of()),
    RECOMMEND("recommend", "recommend.txt", Set.of(Slots.CANDIDATES, Slots.DIALOGUE_CONTEXT), Set.of());

    /** Slot names, as templates write them ({@code {{dialogue_context}}}). */
    public static final class Slots {
        public static final String SUBTASK_LIST = "subtask_list";
        public static final String SUBTASK_SCHEMA = "subtask_schema";
        public static final String SCHEMA_EXAMPLE = "schema_example";
        /** Slots of {@code demonstration.txt}, the form of one case in {@code {{demonstrations}}}. */
        public static final String CASE_NUMBER = "case_number";
        public static final String SUBTASK = "subtask";
        public static final String DEMONSTRATIONS = "demonstrations";
        public static final String DIALOGUE_CONTEXT = "dialogue_context";
        public static final String SUBTASK_GOAL = "subtask_goal";
        public static final String SUBTASK_NAME = "subtask_name";
        public static final String EXPERTS = "experts";
        public static final String EXPERT = "expert";
        public static final String SUBTASK_OUTPUT = "subtask_output";
        public static final String CANDIDATES = "candidates";

        private Slots() {}
    }

    private final String traceName;
    private final String file;
    private final Set<String> required;
    private final Set<String> optional;

    Stage(String traceName, String file, Set<String> required, Set<String> optional) {
        this.traceName = traceName;
        this.file = file;
        this.required = required;
        this.optional = optional;
    }

    /** The {@code LlmRequest.stage} name: {@code detection}, {@code matching}, {@code response} or {@code recommend}. */
    public String traceName() { return traceName; }

    public String file() { return file; }

    public Set<String> required() { return required; }

    public Set<String> optional() { return optional; }
}
