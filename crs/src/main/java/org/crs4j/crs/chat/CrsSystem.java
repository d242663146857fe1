package org.crs4j.crs.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.crs4j.crs.llm.Llm;
import org.crs4j.crs.llmcrs.Conversation;
import org.crs4j.crs.llmcrs.Environment;
import org.crs4j.crs.llmcrs.Fallback;
import org.crs4j.crs.llmcrs.GenreWords;
import org.crs4j.crs.llmcrs.Llmcrs;
import org.crs4j.crs.llmcrs.LlmcrsSettings;
import org.crs4j.crs.llmcrs.LlmcrsSetup;
import org.crs4j.crs.llmcrs.PromptSet;
import org.crs4j.crs.llmcrs.SubTask;
import org.crs4j.crs.llmcrs.SubTaskCall;
import org.crs4j.crs.llmcrs.TurnOptions;
import org.crs4j.crs.llmcrs.TurnResult;
import org.crs4j.crs.llmcrs.TurnTrace;
import org.crs4j.crs.llmcrs.experts.ExpertOutput;
import org.crs4j.crs.llmcrs.experts.ExpertRegistry;
import org.crs4j.crs.llmcrs.experts.ExpertRequest;
import org.crs4j.crs.llmcrs.experts.RegistrySource;
import org.crs4j.data.itemdb.ItemFact;

/**
 * The conversational recommender the chat and the server talk to: the dataset's environment, the expert registry
 * and, when an LLM is available, LLMCRS over them. Without an LLM it is seed 003's "w/o LLM module" variant: every
 * turn goes to the first registered recommendation expert and its output is the answer, labelled as such — nothing
 * poses as generated text. One instance serves concurrent turns when its LLM does (the local experts are
 * thread-safe; the item database serialises its queries).
 */
public final class CrsSystem implements AutoCloseable {
    /** How a turn is answered, as the banner, {@code /trace} and the server's JSON name it. */
    public enum Mode {
        LLMCRS("llmcrs"), EXPERTS_ONLY("w/o-llm");

        private final String label;

        Mode(String label) { this.label = label; }

        public String label() { return label; }
    }

    /** What a recommendation card shows. {@code year} 0 when unknown; {@code why} the explanation expert's text. */
    public record Card(int item, String key, String title, int year, List<String> genres, String why) {}

    private final Environment env;
    private final ExpertRegistry registry;
    private final Llm llm;
    private final Llmcrs llmcrs;
    private final GenreWords genres;

    private CrsSystem(Environment env, ExpertRegistry registry, Llm llm) {
        this.env = env;
        this.registry = registry;
        this.llm = llm;
        this.genres = GenreWords.of(env.db());
        if (llm == null) {
            this.llmcrs = null;
        } else {
            LlmcrsSettings settings = LlmcrsSettings.defaults();
            this.llmcrs = new Llmcrs(llm, env, RegistrySource.fixed(registry), PromptSet.load(null),
                    LlmcrsSetup.demonstrations(env, settings), settings);
        }
    }

    /**
     * @param llm the controller LLM, or null for the experts-only variant; closed with this object
     */
    public static CrsSystem of(Environment env, ExpertRegistry registry, Llm llm) {
        if (registry.candidates(SubTask.RECOMMENDATION).isEmpty())
            throw new IllegalArgumentException(registry.source() + ": no recommendation expert is registered");
        return new CrsSystem(env, registry, llm);
    }

    public Mode mode() { return llm == null ? Mode.EXPERTS_ONLY : Mode.LLMCRS; }

    public Environment environment() { return env; }

    public ExpertRegistry registry() { return registry; }

    /** The LLM's endpoint, or null without one. */
    public String llmEndpoint() { return llm == null ? null : llm.endpoint(); }

    /**
     * Whether turns may run at once: yes without an LLM or with a remote one (the server batches or queues them);
     * a model in this process decodes one turn at a time here, since concurrent generation on one in-process model is
     * not something crs4j's local LLM promises.
     */
    public boolean servesConcurrentTurns() {
        return llm == null || !(llm instanceof org.crs4j.crs.llm.LocalLlm);
    }

    /** The recommendation expert a turn without an LLM (and LLMCRS's fallbacks) uses. */
    public String recommendationExpert() { return registry.candidates(SubTask.RECOMMENDATION).getFirst().id(); }

    /**
     * The system's next turn after {@code dialogue} (whose last turn is the user's).
     *
     * @param stream receives the answer's text as it is produced (the whole expert output at once without an LLM)
     */
    public TurnResult turn(Conversation dialogue, Consumer<String> stream) {
        if (llmcrs != null) return llmcrs.turn(dialogue, TurnOptions.greedy().withStream(stream));
        return expertsOnly(dialogue, stream);
    }

    /**
     * Seed 003's "w/o LLM module": the recommendation expert on the dialogue, its {@code category} the first genre
     * word of the user's last turn (what a detection stage would read from it), its output text the answer.
     */
    private TurnResult expertsOnly(Conversation dialogue, Consumer<String> stream) {
        long start = System.nanoTime();
        var seeker = dialogue.lastSeekerTurn();
        List<String> said = seeker == null ? List.of() : genres.find(env.readable(seeker.text()));
        SubTaskCall call = said.isEmpty() ? SubTaskCall.of(SubTask.RECOMMENDATION)
                : SubTaskCall.of(SubTask.RECOMMENDATION, SubTask.Args.CATEGORY, said.getFirst());
        // the first registered expert, the next one when it fails (an HTTP expert down), as LLMCRS's execution stage does
        List<Fallback> fallbacks = new ArrayList<>();
        ExpertRegistry.Registered expert = null;
        ExpertOutput out = null;
        long t0 = System.nanoTime();
        for (var candidate : registry.candidates(SubTask.RECOMMENDATION)) {
            try {
                out = candidate.expert().execute(new ExpertRequest(call, dialogue));
                expert = candidate;
                break;
            } catch (RuntimeException e) {
                fallbacks.add(new Fallback(Fallback.Kind.EXPERT_FAILED, candidate.id() + ": " + String.valueOf(e.getMessage()).replace('\n', ' ')));
            }
        }
        long exec = System.nanoTime() - t0;
        String text = out != null ? out.text() : "(no recommendation expert answered: " + fallbacks.getLast().detail() + ")";
        if (stream != null) stream.accept(text);
        TurnTrace trace = new TurnTrace(call, Mode.EXPERTS_ONLY.label(), List.of(), expert == null ? null : expert.id(),
                expert == null ? null : Mode.EXPERTS_ONLY.label(), out, List.of(), fallbacks, Set.of(), exec, System.nanoTime() - start);
        return new TurnResult(text, out == null ? new int[0] : out.items(), new int[0], trace);
    }

    /** Runs the first registered expert of a sub-task directly (the chat's {@code /why} and {@code /details}). */
    public ExpertOutput run(SubTaskCall call, Conversation dialogue) {
        var candidates = registry.candidates(call.task());
        if (candidates.isEmpty()) return ExpertOutput.text("(no " + call.task().displayName() + " expert is registered)");
        return candidates.getFirst().expert().execute(new ExpertRequest(call, dialogue));
    }

    /**
     * The explanation expert on one item, with reasons from what the user said: the system's own turns are left out,
     * so that "which you mentioned" is true of the user (the expert counts every mention of the dialogue).
     */
    public ExpertOutput explain(int item, Conversation dialogue) {
        var userSaid = new Conversation(dialogue.turns().stream().filter(t -> t.role() == org.crs4j.data.model.Role.SEEKER).toList());
        return run(SubTaskCall.of(SubTask.EXPLANATION, SubTask.Args.ITEM_NAME, env.title(item)), userSaid);
    }

    /** The first {@code k} items of a turn as cards: title, year and genres from the item database, and why. */
    public List<Card> cards(TurnResult r, Conversation dialogue, int k) {
        List<Card> out = new ArrayList<>();
        for (int n = 0; n < Math.min(k, r.items().length); n++) out.add(card(r.items()[n], dialogue));
        return out;
    }

    public Card card(int item, Conversation dialogue) {
        var record = env.db().item(item);
        List<String> g = new ArrayList<>();
        for (ItemFact f : env.db().facts(item)) if (f.relation().equals("genre") && !g.contains(f.value())) g.add(f.value());
        String why;
        try {
            why = explain(item, dialogue).text();
        } catch (RuntimeException e) { // a remote explanation expert that fails leaves the card without a reason
            why = "";
        }
        return new Card(item, env.item(item).key(), env.title(item), record.map(x -> x.year()).orElse(0), g, why);
    }

    @Override
    public void close() {
        if (llm != null) llm.close();
        env.db().close();
    }
}
