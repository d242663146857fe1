package org.crs4j.crs.llmcrs;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.crs4j.data.model.Role;
import org.crs4j.data.prepare.PreparedDialogue;
import org.crs4j.data.prepare.PreparedSplit;

/**
 * How often {@link SubTaskLabeler}'s rules agree with a dataset's own annotation (TG-ReDial's goal actions), over
 * every recommender turn after the first that carries an annotation the labeler maps to a sub-task: the confusion
 * matrix, the agreement with a 95% Wilson interval, Cohen's kappa, and how each rule fares.
 */
public final class LabelAgreement {
    private final Map<SubTask, Map<SubTask, Integer>> confusion = new EnumMap<>(SubTask.class);
    private final Map<String, int[]> byRule = new java.util.TreeMap<>(); // rule -> [agree, total]
    private int annotated, unannotated, agree;
    // for turns annotated as elicitation: does the turn read as a question, and do the acts include 请求推荐?
    private final int[][] askVsQuestion = new int[2][2];

    /**
     * @param textOnly judge the rules on what the text alone shows: each turn's items and entities re-linked from
     *                 its text (TG-ReDial's items come from the same annotation as its goal actions, so with them the
     *                 "new item" rule agrees by construction)
     */
    public static LabelAgreement measure(PreparedSplit split, SubTaskLabeler labeler, Environment env, boolean textOnly) {
        LabelAgreement a = new LabelAgreement();
        for (SubTask t : SubTask.values()) {
            Map<SubTask, Integer> row = new EnumMap<>(SubTask.class);
            for (SubTask u : SubTask.values()) row.put(u, 0);
            a.confusion.put(t, row);
        }
        for (PreparedDialogue d : split.dialogues()) {
            for (int t = 1; t < d.turns().size(); t++) {
                var turn = d.turns().get(t);
                if (turn.role() != Role.RECOMMENDER) continue;
                var gold = SubTaskLabeler.fromAnnotation(turn.acts());
                if (gold.isEmpty()) { a.unannotated++; continue; }
                var turns = textOnly ? d.turns().subList(0, t + 1).stream().map(x -> env.turn(x.role(), env.text(x))).toList() : d.turns();
                var rule = labeler.byRules(turns, t);
                a.annotated++;
                a.confusion.get(gold.get()).merge(rule.task(), 1, Integer::sum);
                boolean ok = gold.get() == rule.task();
                if (ok) a.agree++;
                int[] r = a.byRule.computeIfAbsent(rule.rule(), k -> new int[2]);
                if (ok) r[0]++;
                r[1]++;
                if (gold.get() == SubTask.PREFERENCE_ELICITATION) {
                    boolean asks = turn.acts().contains("请求推荐");
                    boolean question = SubTaskLabeler.isQuestion(env.text(turn));
                    a.askVsQuestion[asks ? 1 : 0][question ? 1 : 0]++;
                }
            }
        }
        return a;
    }

    /**
     * The rules' sub-task for every recommender turn after the first, counted per act the dataset annotates on it
     * (a cross-tabulation, for annotations that name no sub-task, such as INSPIRED's recommender strategies). Turns
     * are judged on their text alone (items and entities re-linked), as in {@code measure(..., true)}.
     */
    public static List<String> crossTab(List<org.crs4j.data.model.Dialogue> dialogues, SubTaskLabeler labeler, Environment env) {
        Map<String, int[]> rows = new java.util.TreeMap<>();
        int[] total = new int[SubTask.values().length];
        for (var d : dialogues) {
            List<org.crs4j.data.prepare.PreparedTurn> turns = new ArrayList<>();
            for (var t : d.turns()) {
                var linked = env.turn(t.role(), t.text());
                turns.add(new org.crs4j.data.prepare.PreparedTurn(t.role(), t.text(), linked.items(), linked.entities(), t.acts()));
            }
            for (int t = 1; t < turns.size(); t++) {
                if (turns.get(t).role() != Role.RECOMMENDER) continue;
                SubTask rule = labeler.byRules(turns, t).task();
                total[rule.ordinal()]++;
                for (String act : turns.get(t).acts().isEmpty() ? List.of("(none)") : turns.get(t).acts())
                    rows.computeIfAbsent(act, k -> new int[SubTask.values().length])[rule.ordinal()]++;
            }
        }
        List<String> out = new ArrayList<>();
        out.add(String.format(Locale.ROOT, "%-26s %8s %8s %8s %8s %8s", "act \\ rules", "elicit", "recommend", "explain", "detail", "turns"));
        rows.put("(all)", total);
        rows.forEach((act, r) -> {
            int n = java.util.Arrays.stream(r).sum();
            out.add(String.format(Locale.ROOT, "%-26s %7.1f%% %7.1f%% %7.1f%% %7.1f%% %8d", act, 100.0 * r[0] / n, 100.0 * r[1] / n, 100.0 * r[2] / n, 100.0 * r[3] / n, n));
        });
        return out;
    }

    public int annotated() { return annotated; }

    public int agreeing() { return agree; }

    public double agreement() { return annotated == 0 ? Double.NaN : agree / (double) annotated; }

    /** Cohen's kappa over the four sub-tasks. */
    public double kappa() {
        if (annotated == 0) return Double.NaN;
        double pe = 0;
        for (SubTask g : SubTask.values()) {
            double rowSum = confusion.get(g).values().stream().mapToInt(Integer::intValue).sum();
            double colSum = 0;
            for (SubTask x : SubTask.values()) colSum += confusion.get(x).get(g);
            pe += (rowSum / annotated) * (colSum / annotated);
        }
        double po = agreement();
        return pe == 1 ? 1 : (po - pe) / (1 - pe);
    }

    /** 95% Wilson score interval of the agreement. */
    public double[] wilson() {
        double n = annotated, p = agreement(), z = 1.959963984540054;
        double centre = (p + z * z / (2 * n)) / (1 + z * z / n);
        double half = z * Math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n);
        return new double[] {centre - half, centre + half};
    }

    public List<String> lines() {
        List<String> out = new ArrayList<>();
        double[] ci = wilson();
        out.add(String.format(Locale.ROOT, "recommender turns with an annotation: %d (without: %d)", annotated, unannotated));
        out.add(String.format(Locale.ROOT, "rules agree with the annotation on %d = %.1f%% (95%% Wilson CI %.1f-%.1f%%), Cohen's kappa %.3f",
                agree, 100 * agreement(), 100 * ci[0], 100 * ci[1], kappa()));
        out.add("confusion (rows: annotation, columns: rules; " + String.join(", ", java.util.Arrays.stream(SubTask.values()).map(SubTask::id).toList()) + "):");
        for (SubTask g : SubTask.values()) {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "  %-24s", g.id()));
            for (SubTask r : SubTask.values()) sb.append(String.format(Locale.ROOT, " %6d", confusion.get(g).get(r)));
            out.add(sb.toString());
        }
        byRule.forEach((rule, r) -> out.add(String.format(Locale.ROOT, "rule %-16s decided %5d turns, %5.1f%% agreeing", rule, r[1], 100.0 * r[0] / r[1])));
        int[][] q = askVsQuestion;
        out.add(String.format(Locale.ROOT, "elicitation turns: with 请求推荐 %d (%d read as questions), talk only (谈论) %d (%d read as questions)",
                q[1][0] + q[1][1], q[1][1], q[0][0] + q[0][1], q[0][1]));
        return out;
    }
}
