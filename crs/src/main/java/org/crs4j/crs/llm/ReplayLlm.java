package org.crs4j.crs.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.crs4j.data.io.DataFile;
import org.crs4j.data.io.MalformedDataException;
import org.crs4j.data.io.ReadReport;
import org.crs4j.data.io.TextLines;

/**
 * Answers from a trace file ({@link TraceRecord}) instead of a model: how a recorded run is re-run, inspected or
 * tested without weights or a network.
 *
 * <p>The matching rule: a call is answered by a recorded call with the same stage, the same prompt (character for
 * character) and the same sampling settings (max new tokens, temperature, top-p, seed); when several recorded calls
 * match, they answer in the order of the trace, each once. The endpoint that recorded the trace does not matter. A
 * recorded failure replays as the same failure ({@link LlmException}), so fallbacks a run counted are counted again.
 * A response carries the recorded latency and token counts (and ids, for local models), so a replayed run reports
 * the timings of the run that was recorded.
 *
 * <p>A call the trace cannot answer is a {@link TraceMismatchException} of one line naming the trace file and the line of the
 * first unused record of that stage, with where its prompt first differs from the call's.
 */
public final class ReplayLlm implements Llm {

    private record Key(String stage, String prompt, Sampling sampling) {}

    private final Path file;
    private final List<TraceRecord> records;
    private final List<Integer> lines;
    private final boolean[] used;
    private final Map<Key, ArrayDeque<Integer>> byKey = new HashMap<>();
    private int usedCount;

    private ReplayLlm(Path file, List<TraceRecord> records, List<Integer> lines) {
        this.file = file;
        this.records = records;
        this.lines = lines;
        this.used = new boolean[records.size()];
        for (int i = 0; i < records.size(); i++) {
            TraceRecord r = records.get(i);
            byKey.computeIfAbsent(new Key(r.stage(), r.prompt(), r.sampling()), k -> new ArrayDeque<>()).add(i);
        }
    }

    /**
     * Reads a whole trace (plain or {@code .gz}); blank lines are skipped.
     *
     * @throws LlmException {@code replay:FILE line N, field F: problem} for the first bad line
     */
    public static ReplayLlm open(Path file) {
        String problem = org.crs4j.io.InputFiles.problem(file); // a FIFO is named as one, not taken for missing
        if (problem != null) throw new LlmException("replay:" + file + ": " + (problem.equals("no such file") ? "no such trace file" : problem));
        List<TraceRecord> records = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        DataFile data = new DataFile(file, file.toString());
        try {
            TextLines.forEach(data, ReadReport.strict(), (line, n) -> {
                if (line.isBlank()) return;
                try {
                    records.add(TraceRecord.fromJson(org.crs4j.io.StrictJson.parse(line)));
                    lines.add(n);
                } catch (JsonProcessingException e) {
                    throw data.error("line " + n, "", "not valid JSON (" + org.crs4j.io.Problems.reason(e).replaceFirst("^invalid JSON: ", "") + ")");
                } catch (IllegalArgumentException e) {
                    throw data.error("line " + n, "", e.getMessage());
                }
            });
        } catch (MalformedDataException e) {
            throw new LlmException("replay:" + e.getMessage(), e);
        }
        if (records.isEmpty()) throw new LlmException("replay:" + file + ": the trace holds no calls");
        return new ReplayLlm(file, records, lines);
    }

    @Override
    public String endpoint() {
        return "replay:" + file;
    }

    /** Recorded calls in the trace. */
    public int recorded() {
        return records.size();
    }

    /** Recorded calls that have answered so far. */
    public synchronized int replayed() {
        return usedCount;
    }

    @Override
    public LlmResponse complete(LlmRequest request) {
        TraceRecord r;
        int index;
        synchronized (this) {
            ArrayDeque<Integer> queue = byKey.get(new Key(request.stage(), request.prompt(), request.sampling()));
            if (queue == null || queue.isEmpty()) throw new TraceMismatchException(mismatch(request, queue != null));
            index = queue.poll();
            used[index] = true;
            usedCount++;
            r = records.get(index);
        }
        if (r.error() != null) throw new LlmException(r.error() + " (replayed from " + file + " line " + lines.get(index) + ")");
        if (request.stream() != null && !r.output().isEmpty()) request.stream().accept(r.output());
        return r.response();
    }

    /** One line: which record should have answered and how it differs. */
    private String mismatch(LlmRequest request, boolean exhausted) {
        String head = "replay:" + file + ": the trace does not match the run: ";
        if (exhausted) return head + "all recorded " + request.stage() + " calls with this prompt and sampling were used already";
        int stageRecords = 0;
        for (int i = 0; i < records.size(); i++) {
            TraceRecord r = records.get(i);
            if (!r.stage().equals(request.stage())) continue;
            stageRecords++;
            if (used[i]) continue;
            if (!r.prompt().equals(request.prompt())) {
                int at = firstDifference(r.prompt(), request.prompt());
                return head + "line " + lines.get(i) + " (the next unused " + request.stage() + " call) has another prompt, from character "
                        + at + ": trace \"" + around(r.prompt(), at) + "\", run \"" + around(request.prompt(), at) + "\"";
            }
            return head + "line " + lines.get(i) + " (the next unused " + request.stage() + " call) has the same prompt but sampling "
                    + describe(r.sampling()) + ", the run asks " + describe(request.sampling());
        }
        return head + (stageRecords == 0 ? "it has no " + request.stage() + " calls"
                : "its " + stageRecords + " " + request.stage() + " calls are all used");
    }

    private static int firstDifference(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) if (a.charAt(i) != b.charAt(i)) return i;
        return n;
    }

    private static String around(String s, int at) {
        int from = Math.max(0, at - 20), to = Math.min(s.length(), at + 40);
        String piece = (from > 0 ? "…" : "") + s.substring(from, to) + (to < s.length() ? "…" : "");
        return piece.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t").replace("\"", "\\\"");
    }

    private static String describe(Sampling s) {
        return "(max new tokens " + s.maxNewTokens() + ", temperature " + s.temperature() + ", top-p " + s.topP() + ", seed " + s.seed() + ")";
    }
}
