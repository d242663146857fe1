package org.crs4j.crs.llmcrs;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts over the turns of a run, safe to update from several threads: turns, sub-tasks, experts, every fallback by
 * kind, and each stage's calls, tokens and latency.
 */
public final class RunStatistics {
    private long turns;
    private long turnNanos;
    private final Map<String, Long> subTasks = new TreeMap<>();
    private final Map<String, Long> experts = new TreeMap<>();
    private final Map<Fallback.Kind, Long> fallbacks = new java.util.EnumMap<>(Fallback.Kind.class);
    private final Map<String, long[]> stages = new TreeMap<>(); // calls, failed, prompt tokens, output tokens, nanos
    private long executionNanos;

    public synchronized void record(TurnResult r) {
        TurnTrace t = r.trace();
        turns++;
        turnNanos += t.totalNanos();
        executionNanos += t.executionNanos();
        subTasks.merge(t.subTask().task().id(), 1L, Long::sum);
        experts.merge(t.expertId() == null ? "(none)" : t.expertId(), 1L, Long::sum);
        for (Fallback f : t.fallbacks()) fallbacks.merge(f.kind(), 1L, Long::sum);
        for (LlmCall c : t.calls()) {
            long[] s = stages.computeIfAbsent(c.stage().name().toLowerCase(Locale.ROOT), k -> new long[5]);
            s[0]++;
            if (c.failed()) { s[1]++; continue; }
            s[2] += Math.max(0, c.response().promptTokens());
            s[3] += Math.max(0, c.response().outputTokens());
            s[4] += c.response().latencyNanos();
        }
    }

    public synchronized long turns() { return turns; }

    public synchronized long fallbacks(Fallback.Kind kind) { return fallbacks.getOrDefault(kind, 0L); }

    public synchronized Map<String, Long> subTasks() { return Map.copyOf(subTasks); }

    /** Lines for a report. */
    public synchronized List<String> lines() {
        List<String> out = new ArrayList<>();
        out.add(String.format(Locale.ROOT, "turns: %d, mean %.1f ms per turn (expert execution %.1f ms)", turns,
                turns == 0 ? 0 : turnNanos / 1e6 / turns, turns == 0 ? 0 : executionNanos / 1e6 / turns));
        out.add("sub-tasks: " + subTasks);
        out.add("experts: " + experts);
        stages.forEach((stage, s) -> out.add(String.format(Locale.ROOT, "stage %s: %d calls (%d failed), mean %.1f prompt + %.1f output tokens, %.1f ms",
                stage, s[0], s[1], s[0] == s[1] ? 0 : s[2] / (double) (s[0] - s[1]), s[0] == s[1] ? 0 : s[3] / (double) (s[0] - s[1]),
                s[0] == s[1] ? 0 : s[4] / 1e6 / (s[0] - s[1]))));
        out.add("fallbacks: " + (fallbacks.isEmpty() ? "none" : fallbacks.toString()));
        return out;
    }
}
