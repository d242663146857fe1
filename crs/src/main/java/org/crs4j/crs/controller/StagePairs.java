package org.crs4j.crs.controller;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.crs4j.crs.llmcrs.Ablation;
import org.crs4j.crs.llmcrs.Conversation;
import org.crs4j.crs.llmcrs.Environment;
import org.crs4j.crs.llmcrs.Llmcrs;
import org.crs4j.crs.llmcrs.Stage;
import org.crs4j.crs.llmcrs.SubTask;
import org.crs4j.crs.llmcrs.SubTaskCall;
import org.crs4j.crs.llmcrs.SubTaskLabeler;
import org.crs4j.crs.llmcrs.experts.ExpertOutput;
import org.crs4j.crs.llmcrs.experts.ExpertRegistry;
import org.crs4j.crs.llmcrs.experts.ExpertRequest;
import org.crs4j.data.model.Role;
import org.crs4j.data.prepare.PreparedDialogue;
import org.crs4j.data.prepare.PreparedTurn;
import org.crs4j.tensor.io.AtomicFiles;

/**
 * The controller's supervised targets, one (prompt, target) pair per LLMCRS stage of every recommender turn after the
 * first, built with the same prompts the pipeline sends ({@link Llmcrs#detectionPrompt} and the others):
 * <ul>
 *   <li><b>detection</b> → the turn's sub-task in schema form, e.g. {@code Recommendation(category=horror) -> Item},
 *   as {@link SubTaskLabeler} gives it (TG-ReDial's goal annotation where it exists, the stated rules elsewhere; the
 *   category is the first genre word of the turn, else of the last two seeker turns; item name and attribute of
 *   explanations and detail searches from the items mentioned and the seeker's question);</li>
 *   <li><b>matching</b> (only where the sub-task has several registered experts: today Recommendation) → the expert
 *   that ranks the turn's items best when run on that call (smallest best rank over the turn's items within the
 *   expert's list; a turn whose items no expert lists, or a tie, goes to the first registered). The matching prompt
 *   shows no dialogue (Table 2), so a controller can only learn which expert is best most often;</li>
 *   <li><b>response</b> → the ground-truth reply (ReDial's {@code @id} mentions as titles), given the summary of the
 *   labeled call, the matched expert and that expert's real output (w/o SG: the raw output).</li>
 * </ul>
 * With w/o M there is no detection or matching (the pipeline sends every turn to the first recommendation expert),
 * so only response pairs are made, from that expert's output. With w/o E there is no matching and no expert: a
 * Recommendation turn that names an item gives a <b>recommend</b> pair (the candidates prompt → the title of the
 * turn's first item, whether or not the candidates hold it), and its response pair's summary says the model
 * recommended that title (teacher forcing); the other turns' summaries have no output.
 */
public final class StagePairs {
    private StagePairs() {}

    /** A pair, the stage it trains and the dialogue it comes from (held-out splits are by dialogue). */
    public record Labeled(Pair pair, Stage stage, String dialogue, int turn) {}

    public static List<Labeled> of(Llmcrs pipeline, List<PreparedDialogue> dialogues, Set<Ablation> ablations) {
        Environment env = pipeline.environment();
        SubTaskLabeler labeler = new SubTaskLabeler(env);
        ExpertRegistry registry = pipeline.registry();
        boolean managed = !ablations.contains(Ablation.NO_MANAGEMENT);
        boolean experts = !ablations.contains(Ablation.NO_EXPERTS);
        List<Labeled> out = new ArrayList<>();
        for (PreparedDialogue d : dialogues) {
            for (int t = 1; t < d.turns().size(); t++) {
                PreparedTurn turn = d.turns().get(t);
                if (turn.role() != Role.RECOMMENDER) continue;
                String reference = env.text(turn).strip();
                if (reference.isEmpty()) continue;
                Conversation context = new Conversation(d.id(), d.turns().subList(0, t));
                SubTaskCall call = managed ? labeler.label(d.turns(), t).call() : SubTaskCall.of(SubTask.RECOMMENDATION);
                if (managed) out.add(new Labeled(new Pair(pipeline.detectionPrompt(context, ablations), call.render()), Stage.DETECTION, d.id(), t));
                ExpertRegistry.Registered chosen = null;
                String text = Llmcrs.NO_OUTPUT;
                if (!experts) {
                    if (call.task() == SubTask.RECOMMENDATION && turn.items().length > 0) {
                        int item = turn.items()[0];
                        out.add(new Labeled(new Pair(pipeline.recommendPrompt(context), env.title(item)), Stage.RECOMMEND, d.id(), t));
                        text = pipeline.recommended(new int[] {item}, 1);
                    }
                } else {
                    List<ExpertRegistry.Registered> candidates = registry.candidates(call.task());
                    if (!candidates.isEmpty()) {
                        chosen = candidates.getFirst();
                        ExpertOutput output = run(chosen, call, context);
                        if (managed && candidates.size() > 1) {
                            int best = bestRank(output, turn);
                            for (var c : candidates.subList(1, candidates.size())) {
                                ExpertOutput o = run(c, call, context);
                                int r = bestRank(o, turn);
                                if (r < best) {
                                    best = r;
                                    chosen = c;
                                    output = o;
                                }
                            }
                            out.add(new Labeled(new Pair(pipeline.matchingPrompt(call.task(), candidates), chosen.id()), Stage.MATCHING, d.id(), t));
                        }
                        if (output != null) text = output.text();
                    }
                }
                String prompt = ablations.contains(Ablation.NO_SUMMARY) ? pipeline.responseRawPrompt(context, text)
                        : pipeline.responsePrompt(context, call, chosen, text);
                out.add(new Labeled(new Pair(prompt, reference), ablations.contains(Ablation.NO_SUMMARY) ? Stage.RESPONSE_RAW : Stage.RESPONSE, d.id(), t));
            }
        }
        return out;
    }

    /** An expert that fails yields no output (as a turn's fallback would make it); the pair then says so. */
    private static ExpertOutput run(ExpertRegistry.Registered e, SubTaskCall call, Conversation context) {
        try {
            return e.expert().execute(new ExpertRequest(call, context));
        } catch (RuntimeException ex) {
            return null;
        }
    }

    /** The best 1-based rank of any of the turn's items in the expert's list; {@code Integer.MAX_VALUE} when none is listed. */
    static int bestRank(ExpertOutput o, PreparedTurn turn) {
        if (o == null) return Integer.MAX_VALUE;
        int best = Integer.MAX_VALUE;
        int[] items = o.items();
        for (int target : turn.items()) {
            for (int i = 0; i < items.length; i++) if (items[i] == target) best = Math.min(best, i + 1);
        }
        return best;
    }

    /** Writes pairs as JSON Lines with their stage and dialogue (other readers take prompt and target only), atomically. */
    public static void write(Path file, List<Labeled> pairs) throws IOException {
        ObjectMapper json = new ObjectMapper();
        StringBuilder sb = new StringBuilder();
        for (Labeled l : pairs) {
            ObjectNode o = json.createObjectNode();
            o.put("prompt", l.pair().prompt());
            o.put("target", l.pair().target());
            o.put("stage", l.stage().traceName());
            o.put("dialogue", l.dialogue());
            o.put("turn", l.turn());
            sb.append(json.writeValueAsString(o)).append('\n');
        }
        AtomicFiles.writeString(file, sb.toString());
    }
}
