package org.crs4j.crs.llmcrs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import org.crs4j.crs.llm.Llm;
import org.crs4j.crs.llm.LlmException;
import org.crs4j.crs.llm.LlmRequest;
import org.crs4j.crs.llm.LlmResponse;
import org.crs4j.crs.llm.Sampling;
import org.crs4j.crs.llmcrs.experts.ExpertOutput;
import org.crs4j.crs.llmcrs.experts.ExpertRegistry;
import org.crs4j.crs.llmcrs.experts.ExpertRequest;
import org.crs4j.crs.llmcrs.experts.RegistrySource;

/**
 * LLMCRS (seed 000 §3): an LLM manages a conversational recommendation turn in four stages.
 * <ol>
 *   <li><b>Sub-task detection</b> — the detection prompt (Table 2) with the sub-task list, the schema (Table 1), the
 *   demonstrations and the dialogue context; the answer is parsed into a sub-task call ({@link SubTaskParser}).
 *   <li><b>Model matching</b> — the matching prompt with the sub-task's goal and the {@code [ID, Description]} of every
 *   registered expert of that sub-task; the answer is parsed into an id ({@link ExpertChoice}). With one candidate
 *   there is nothing to choose and no call is made.
 *   <li><b>Sub-task execution</b> — the chosen expert runs the call, in process or over HTTP.
 *   <li><b>Response generation</b> — the summary prompt (sub-task name, expert id and description, sub-task output)
 *   and the dialogue context; the text streams to the caller.
 * </ol>
 * With w/o E (seed 000 §6.2) no expert runs: a Recommendation turn asks the LLM to choose from the items most similar
 * to the dialogue ({@link LexicalCandidates}), the other sub-tasks are answered from the dialogue alone.
 * Nothing the LLM or an expert does makes a turn throw: each failure takes a stated {@link Fallback}, recorded in the
 * trace and counted in {@link #statistics()}. One instance serves concurrent turns when its {@link Llm} does.
 */
public final class Llmcrs {
    private final Llm llm;
    private final Environment env;
    private final RegistrySource registry;
    private final PromptSet prompts;
    private final Demonstrations demonstrations;
    private final LlmcrsSettings settings;
    private final RunStatistics statistics = new RunStatistics();
    /** w/o E: candidates retrieved, and how many of them the recommend prompt shows (a 512-token window holds ten titles with scores). */
    static final int W_O_E_CANDIDATES = 50, W_O_E_SHOWN = 10;
    private volatile LexicalCandidates lexical;
    /** What the summary says when no expert produced an output (none registered, all failed, or w/o E). */
    public static final String NO_OUTPUT = "(no expert output)";

    public Llmcrs(Llm llm, Environment env, RegistrySource registry, PromptSet prompts, Demonstrations demonstrations, LlmcrsSettings settings) {
        this.llm = llm;
        this.env = env;
        this.registry = registry;
        this.prompts = prompts;
        this.demonstrations = demonstrations;
        this.settings = settings;
    }

    public Environment environment() { return env; }

    public RunStatistics statistics() { return statistics; }

    public ExpertRegistry registry() { return registry.current().registry(); }

    /** Produces the recommender's next turn after {@code dialogue}. */
    public TurnResult turn(Conversation dialogue, TurnOptions options) {
        long start = System.nanoTime();
        Set<Ablation> ablations = options.ablations();
        List<LlmCall> calls = new ArrayList<>();
        List<Fallback> fallbacks = new ArrayList<>();
        var snapshot = registry.current();
        if (snapshot.reloadError() != null) fallbacks.add(new Fallback(Fallback.Kind.REGISTRY_RELOAD_FAILED, snapshot.reloadError()));
        ExpertRegistry experts = snapshot.registry();

        // 1. sub-task detection
        SubTaskCall call;
        String detectedBy;
        List<String> ignored = List.of();
        if (ablations.contains(Ablation.NO_MANAGEMENT)) {
            call = SubTaskCall.of(SubTask.RECOMMENDATION);
            detectedBy = "w/o-M";
        } else {
            LlmCall c = complete(Stage.DETECTION, detectionPrompt(dialogue, ablations), options.detection(), null);
            calls.add(c);
            if (c.failed()) {
                fallbacks.add(new Fallback(Fallback.Kind.DETECTION_LLM_FAILED, c.error()));
                call = SubTaskCall.of(settings.detectionFallback());
                detectedBy = "fallback";
            } else {
                var parsed = SubTaskParser.parse(c.response().text());
                if (parsed.parsed()) {
                    call = parsed.call();
                    ignored = parsed.ignored();
                    detectedBy = "llm";
                } else {
                    fallbacks.add(new Fallback(Fallback.Kind.DETECTION_UNPARSED, parsed.problem() + ": " + snippet(c.response().text())
                            + " -> " + settings.detectionFallback().displayName()));
                    call = SubTaskCall.of(settings.detectionFallback());
                    detectedBy = "fallback";
                }
            }
        }

        // 2. model matching
        boolean noExperts = ablations.contains(Ablation.NO_EXPERTS);
        List<ExpertRegistry.Registered> candidates = noExperts ? List.of() : experts.candidates(call.task());
        ExpertRegistry.Registered chosen = null;
        String matchedBy = null;
        if (noExperts) {
            // w/o E: nothing to match
        } else if (candidates.isEmpty()) {
            fallbacks.add(new Fallback(Fallback.Kind.NO_EXPERT, "no expert is registered for " + call.task().id()));
        } else if (ablations.contains(Ablation.NO_MANAGEMENT)) {
            chosen = candidates.getFirst();
            matchedBy = "w/o-M";
        } else if (candidates.size() == 1) {
            chosen = candidates.getFirst();
            matchedBy = "only candidate";
        } else {
            LlmCall c = complete(Stage.MATCHING, matchingPrompt(call.task(), candidates), options.matching(), null);
            calls.add(c);
            if (c.failed()) {
                fallbacks.add(new Fallback(Fallback.Kind.MATCHING_LLM_FAILED, c.error() + " -> " + candidates.getFirst().id()));
                chosen = candidates.getFirst();
                matchedBy = "fallback";
            } else {
                chosen = ExpertChoice.parse(c.response().text(), candidates);
                matchedBy = "llm";
                if (chosen == null) {
                    fallbacks.add(new Fallback(Fallback.Kind.MATCHING_UNKNOWN_ID, "no registered " + call.task().id() + " expert in: "
                            + snippet(c.response().text()) + " -> " + candidates.getFirst().id()));
                    chosen = candidates.getFirst();
                    matchedBy = "fallback";
                }
            }
        }

        // 3. sub-task execution, the next candidate when the chosen expert fails
        long execStart = System.nanoTime();
        ExpertOutput output = null;
        if (noExperts && call.task() == SubTask.RECOMMENDATION) {
            output = recommendWithoutExperts(dialogue, options.detection(), calls, fallbacks);
        } else if (chosen != null) {
            List<ExpertRegistry.Registered> order = new ArrayList<>();
            order.add(chosen);
            for (var c : candidates) if (c != chosen) order.add(c);
            for (var e : order) {
                try {
                    output = e.expert().execute(new ExpertRequest(call, dialogue));
                    if (e != chosen) matchedBy = "fallback";
                    chosen = e;
                    break;
                } catch (RuntimeException ex) { // ExpertException, or any failure of an expert the registry plugged in
                    fallbacks.add(new Fallback(Fallback.Kind.EXPERT_FAILED, e.id() + ": " + oneLine(ex)));
                }
            }
            if (output == null) chosen = null;
        }
        long execNanos = System.nanoTime() - execStart;

        // 4. response generation
        String outputText = output != null ? output.text() : NO_OUTPUT;
        String prompt = ablations.contains(Ablation.NO_SUMMARY) ? responseRawPrompt(dialogue, outputText)
                : responsePrompt(dialogue, call, chosen, outputText);
        LlmCall rc = complete(ablations.contains(Ablation.NO_SUMMARY) ? Stage.RESPONSE_RAW : Stage.RESPONSE, prompt, options.response(), options.stream());
        calls.add(rc);
        String response;
        if (rc.failed() || rc.response().text().isBlank()) {
            fallbacks.add(new Fallback(rc.failed() ? Fallback.Kind.RESPONSE_LLM_FAILED : Fallback.Kind.RESPONSE_EMPTY,
                    (rc.failed() ? rc.error() : "empty response") + " -> the expert's output"));
            response = outputText;
            if (options.stream() != null) options.stream().accept(response);
        } else response = rc.response().text().strip();

        int[] named = ItemNames.named(response, env);
        var items = new it.unimi.dsi.fastutil.ints.IntLinkedOpenHashSet(named);
        if (call.task() == SubTask.RECOMMENDATION && output != null) for (int i : output.items()) items.add(i);
        TurnTrace trace = new TurnTrace(call, detectedBy, ignored, chosen == null ? null : chosen.id(), chosen == null ? null : matchedBy,
                output, calls, fallbacks, ablations, execNanos, System.nanoTime() - start);
        TurnResult result = new TurnResult(response, items.toIntArray(), named, trace);
        statistics.record(result);
        return result;
    }

    /**
     * w/o E's recommendation: the LLM names an item, given the candidates most similar to the dialogue; the list is
     * what it names, then the candidates in order of similarity. Sampled as detection is (a short structured answer).
     */
    private ExpertOutput recommendWithoutExperts(Conversation dialogue, Sampling sampling, List<LlmCall> calls, List<Fallback> fallbacks) {
        List<LexicalCandidates.Scored> pool = lexical().top(dialogue, W_O_E_CANDIDATES);
        LlmCall c = complete(Stage.RECOMMEND, recommendPrompt(dialogue, pool), sampling, null);
        calls.add(c);
        var items = new it.unimi.dsi.fastutil.ints.IntLinkedOpenHashSet();
        if (c.failed()) fallbacks.add(new Fallback(Fallback.Kind.RECOMMEND_LLM_FAILED, c.error() + " -> the candidates by similarity"));
        else for (int i : ItemNames.named(c.response().text(), env)) items.add(i);
        if (!c.failed() && items.isEmpty())
            fallbacks.add(new Fallback(Fallback.Kind.RECOMMEND_NO_ITEM, "no catalogue item in " + snippet(c.response().text()) + " -> the candidates by similarity"));
        int named = items.size();
        for (var s : pool) items.add(s.item());
        int[] list = items.toIntArray();
        return new ExpertOutput(recommended(list, Math.max(1, named)), list, List.of());
    }

    /** What a w/o E turn's summary says it recommended: the first {@code shown} titles. */
    public String recommended(int[] items, int shown) {
        if (items.length == 0) return "No movie to recommend.";
        StringJoiner text = new StringJoiner("; ", "Recommended movies: ", "");
        for (int i = 0; i < Math.min(shown, items.length); i++) text.add(env.title(items[i]));
        return text.toString();
    }

    /** w/o E's recommend prompt: the dialogue and its most similar items with their similarity. */
    public String recommendPrompt(Conversation dialogue) { return recommendPrompt(dialogue, lexical().top(dialogue, W_O_E_CANDIDATES)); }

    private String recommendPrompt(Conversation dialogue, List<LexicalCandidates.Scored> pool) {
        StringJoiner list = new StringJoiner("; ");
        for (var s : pool.subList(0, Math.min(W_O_E_SHOWN, pool.size()))) list.add(env.title(s.item()) + String.format(java.util.Locale.ROOT, " (%.2f)", s.score()));
        return fill(Stage.RECOMMEND, Stage.Slots.DIALOGUE_CONTEXT, context(dialogue), Stage.Slots.CANDIDATES, pool.isEmpty() ? "none" : list.toString());
    }

    private LexicalCandidates lexical() {
        LexicalCandidates l = lexical;
        if (l == null) {
            synchronized (this) {
                if (lexical == null) lexical = LexicalCandidates.of(env);
                l = lexical;
            }
        }
        return l;
    }

    /** The detection prompt for a dialogue (what a controller is trained on, and what {@link #turn} sends). */
    public String detectionPrompt(Conversation dialogue, Set<Ablation> ablations) {
        Map<String, String> slots = new HashMap<>();
        StringJoiner list = new StringJoiner(", ");
        StringJoiner schema = new StringJoiner("; ");
        for (SubTask t : SubTask.values()) {
            list.add(t.displayName());
            schema.add(t.schema());
        }
        slots.put(Stage.Slots.SUBTASK_LIST, list.toString());
        if (!ablations.contains(Ablation.NO_SCHEMA)) {
            slots.put(Stage.Slots.SUBTASK_SCHEMA, schema.toString());
            slots.put(Stage.Slots.SCHEMA_EXAMPLE, SubTaskCall.of(SubTask.RECOMMENDATION, SubTask.Args.CATEGORY, "comedy").render());
        }
        if (!ablations.contains(Ablation.NO_DEMONSTRATIONS)) {
            var chosen = demonstrations.choose(dialogue, settings.demoContextTurns(), env);
            if (!chosen.isEmpty()) slots.put(Stage.Slots.DEMONSTRATIONS, Demonstrations.render(chosen, prompts.demonstration()));
        }
        slots.put(Stage.Slots.DIALOGUE_CONTEXT, context(dialogue));
        return prompts.template(Stage.DETECTION).render(slots).strip();
    }

    /** The matching prompt for a sub-task and its candidates. */
    public String matchingPrompt(SubTask task, List<ExpertRegistry.Registered> candidates) {
        StringJoiner list = new StringJoiner("\n", "\n", "");
        for (var c : candidates) list.add(c.spec().promptEntry());
        return fill(Stage.MATCHING, Stage.Slots.SUBTASK_GOAL, task.displayName() + ": " + prompts.goal(task),
                Stage.Slots.SUBTASK_NAME, task.displayName(), Stage.Slots.EXPERTS, list.toString());
    }

    /** The summary-based response prompt. */
    public String responsePrompt(Conversation dialogue, SubTaskCall call, ExpertRegistry.Registered expert, String output) {
        return fill(Stage.RESPONSE, Stage.Slots.DIALOGUE_CONTEXT, context(dialogue),
                Stage.Slots.SUBTASK_NAME, call.render(),
                Stage.Slots.EXPERT, expert == null ? "none" : expert.id() + ", " + expert.spec().description().function(),
                Stage.Slots.SUBTASK_OUTPUT, output);
    }

    /** The w/o SG response prompt: the raw expert output, no summary. */
    public String responseRawPrompt(Conversation dialogue, String output) {
        return fill(Stage.RESPONSE_RAW, Stage.Slots.DIALOGUE_CONTEXT, context(dialogue), Stage.Slots.SUBTASK_OUTPUT, output);
    }

    /** Renders a stage's template from slot-value pairs, without surrounding blank space. */
    private String fill(Stage stage, String... slotValues) {
        Map<String, String> slots = new HashMap<>();
        for (int i = 0; i < slotValues.length; i += 2) slots.put(slotValues[i], slotValues[i + 1]);
        return prompts.template(stage).render(slots).strip();
    }

    private String context(Conversation dialogue) {
        return "\n" + ContextText.render(dialogue, settings.contextTurns(), settings.maxWordsPerTurn(), env);
    }

    private LlmCall complete(Stage stage, String prompt, Sampling sampling, java.util.function.Consumer<String> stream) {
        LlmRequest request = new LlmRequest(stage.traceName(), prompt, sampling, stream);
        try {
            LlmResponse r = llm.complete(request);
            return new LlmCall(stage, request, r, null);
        } catch (LlmException e) { // names the endpoint itself
            return new LlmCall(stage, request, null, oneLine(e));
        } catch (RuntimeException e) { // a local model refusing the prompt (too long for its context), a bug in a wrapper
            return new LlmCall(stage, request, null, llm.endpoint() + ": " + oneLine(e));
        }
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) m = e.getClass().getSimpleName();
        return m.replace('\n', ' ');
    }

    private static String snippet(String s) {
        String t = s.strip().replaceAll("\\s+", " ");
        return "\"" + (t.length() > 80 ? t.substring(0, 80) + "..." : t) + "\"";
    }
}
