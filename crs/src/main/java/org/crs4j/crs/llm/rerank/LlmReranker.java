package org.crs4j.crs.llm.rerank;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.crs4j.crs.llm.Llm;
import org.crs4j.crs.llm.LlmException;
import org.crs4j.crs.llm.LlmRequest;
import org.crs4j.crs.llm.LlmResponse;
import org.crs4j.crs.llm.PromptTemplate;
import org.crs4j.crs.llm.TitleMatcher;
import org.crs4j.crs.llm.TraceMismatchException;

/**
 * The LLM stage of the causal recommender (seed 003 §3.4, Eq. 9): E, I^llm, R ← G(S, I^rec). One prompt
 * ({@code rerank-prompt.txt}, slots {@code {{context}}}, {@code {{candidates}}}, {@code {{k}}}) gives the LLM the
 * conversation S and the recommender's candidates I^rec, best first; its answer is read by {@link RerankAnswer} and
 * each listed title is matched to a candidate by {@link TitleMatcher}.
 *
 * <p>What happens to what does not fit: a title that matches no candidate is dropped and counted as invented (kept in
 * {@link Result#invented()} for the caller to look up); a candidate listed twice counts once (later copies counted as
 * duplicates); an answer without a readable list is unparsable and a call that fails is failed — both fall back to
 * the recommender's own order, counted by the status. A replayed trace that does not match the run is not a failed
 * call but an error ({@link TraceMismatchException}).
 */
public final class LlmReranker {
    /** Stage name in traces. */
    public static final String STAGE = "rerank";
    public static final Set<String> SLOTS = Set.of("context", "candidates", "k");
    private static final Pattern YEAR_PREFIX = Pattern.compile("^(.*?[(\\[]\\s*(?:18|19|20)\\d\\d\\s*[)\\]])");

    public enum Status { PARSED, UNPARSABLE, FAILED }

    /**
     * One call's outcome.
     *
     * @param order         I^llm as positions in the candidate list (the candidates' own order on a fallback)
     * @param invented      listed titles that matched no candidate, as written
     * @param duplicates    candidates listed again after their first place
     * @param text          the whole answer ("" when the call failed)
     * @param error         the failure message, or null
     */
    public record Result(Status status, int[] order, String explanation, String response, List<String> invented, int duplicates,
                         String prompt, String text, String error, long latencyNanos, int promptTokens, int outputTokens) {}

    private final Llm llm;
    private final PromptTemplate template;
    private final RerankSettings settings;

    public LlmReranker(Llm llm, PromptTemplate template, RerankSettings settings) {
        this.llm = llm;
        this.template = template;
        this.settings = settings;
    }

    /** The shipped prompt, or the one in {@code file} (checked: only the three slots, context and candidates required). */
    public static PromptTemplate prompt(Path file) {
        Set<String> required = Set.of("context", "candidates");
        return file == null ? PromptTemplate.resource(LlmReranker.class, "rerank-prompt.txt", SLOTS, required)
                : PromptTemplate.file(file, SLOTS, required);
    }

    public String render(List<String> contextLines, List<String> candidateTitles) {
        StringBuilder c = new StringBuilder();
        for (String t : candidateTitles) c.append(c.isEmpty() ? "" : "\n").append("- ").append(t);
        return template.render(Map.of("context", String.join("\n", contextLines), "candidates", c.toString(),
                "k", String.valueOf(Math.min(settings.listLength(), candidateTitles.size()))));
    }

    /**
     * @param contextLines    the conversation, one "Role: text" line per turn
     * @param candidateTitles I^rec's titles, best first
     */
    public Result rerank(List<String> contextLines, List<String> candidateTitles) {
        String prompt = render(contextLines, candidateTitles);
        int[] fallback = new int[candidateTitles.size()];
        for (int i = 0; i < fallback.length; i++) fallback[i] = i;
        LlmResponse r;
        try {
            r = llm.complete(new LlmRequest(STAGE, prompt, settings.sampling()));
        } catch (TraceMismatchException e) {
            throw e; // a replay of another run: no figure of this run would mean anything
        } catch (LlmException e) {
            return new Result(Status.FAILED, fallback, "", "", List.of(), 0, prompt, "", e.getMessage(), 0, -1, -1);
        }
        RerankAnswer a = RerankAnswer.parse(r.text());
        if (!a.parsed())
            return new Result(Status.UNPARSABLE, fallback, a.explanation(), a.response().isEmpty() ? r.text().strip() : a.response(),
                    List.of(), 0, prompt, r.text(), null, r.latencyNanos(), r.promptTokens(), r.outputTokens());
        TitleMatcher candidates = new TitleMatcher(candidateTitles);
        LinkedHashSet<Integer> order = new LinkedHashSet<>();
        List<String> invented = new ArrayList<>();
        int duplicates = 0;
        for (String title : a.titles()) {
            int m = match(candidates, title);
            if (m < 0) invented.add(title);
            else if (!order.add(m)) duplicates++;
        }
        return new Result(Status.PARSED, order.stream().mapToInt(Integer::intValue).toArray(), a.explanation(), a.response(), List.copyOf(invented),
                duplicates, prompt, r.text(), null, r.latencyNanos(), r.promptTokens(), r.outputTokens());
    }

    /**
     * The candidate a list item names: the whole item, else its part up to a bracketed year ("Heat (1995) — a
     * heist film"), else its part before a dash followed by at least four words ("Heat - a heist film with Pacino";
     * a shorter tail is more likely a subtitle, as in "Mission: Impossible - Fallout", which must not become
     * "Mission: Impossible").
     */
    static int match(TitleMatcher candidates, String item) {
        int m = candidates.match(item);
        if (m >= 0) return m;
        Matcher y = YEAR_PREFIX.matcher(item);
        if (y.find() && (m = candidates.match(y.group(1))) >= 0) return m;
        for (String dash : new String[] {" - ", " – ", " — "}) {
            int at = item.indexOf(dash);
            if (at > 0 && item.substring(at + dash.length()).strip().split("\\s+").length >= 4
                    && (m = candidates.match(item.substring(0, at))) >= 0) return m;
        }
        return -1;
    }
}
