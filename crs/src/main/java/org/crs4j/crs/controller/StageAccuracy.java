package org.crs4j.crs.controller;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.crs4j.crs.eval.Bootstrap;
import org.crs4j.crs.eval.Estimate;
import org.crs4j.crs.llmcrs.ExpertChoice;
import org.crs4j.crs.llmcrs.Stage;
import org.crs4j.crs.llmcrs.SubTaskParser;
import org.crs4j.crs.llmcrs.experts.ExpertRegistry;
import org.crs4j.models.LanguageModel;

/**
 * How well a controller does the two LLMCRS stages that have a right answer, on held-out pairs from
 * {@link StagePairs}, decoded greedily and read by the pipeline's own parsers:
 * <ul>
 *   <li>detection: the sub-task parsed from the output equals the label's ({@code task}), and the whole call, arguments
 *   included, renders equal ({@code call}); an output that does not parse counts as wrong (and is counted);</li>
 *   <li>matching: {@link ExpertChoice} reads the label's expert id out of the output.</li>
 * </ul>
 * Each figure is a mean of 0/1 per pair with its bootstrap 95% interval ({@link Bootstrap}).
 */
public final class StageAccuracy {
    private StageAccuracy() {}

    public record Report(Estimate detectionTask, Estimate detectionCall, int detectionUnparsed, Estimate matching, int matchingUnknown) {
        public List<String> lines() {
            List<String> out = new ArrayList<>();
            out.add(line("detection, sub-task", detectionTask) + (detectionTask == null ? "" : ", " + detectionUnparsed + " outputs did not parse"));
            out.add(line("detection, sub-task and arguments", detectionCall));
            out.add(line("matching, expert", matching) + (matching == null ? "" : ", " + matchingUnknown + " named no registered expert"));
            return out;
        }

        private static String line(String what, Estimate e) {
            return e == null ? what + ": no held-out pairs" : String.format(Locale.ROOT, "%s: %s on %d held-out pairs", what, e.format(), e.n());
        }
    }

    public static Report measure(LanguageModel lm, List<StagePairs.Labeled> heldOut, ExpertRegistry registry, int batch, int maxSource) {
        List<Pair> detection = new ArrayList<>(), matching = new ArrayList<>();
        for (var l : heldOut) {
            if (l.stage() == Stage.DETECTION) detection.add(l.pair());
            else if (l.stage() == Stage.MATCHING) matching.add(l.pair());
        }
        Estimate task = null, call = null, match = null;
        int unparsed = 0, unknown = 0;
        if (!detection.isEmpty()) {
            List<String> out = SftTrainer.greedy(lm, detection, batch, maxSource, 48);
            double[] t = new double[out.size()], c = new double[out.size()];
            for (int i = 0; i < out.size(); i++) {
                var expected = SubTaskParser.parse(detection.get(i).target()).call();
                var got = SubTaskParser.parse(out.get(i));
                if (!got.parsed()) {
                    unparsed++;
                    continue;
                }
                t[i] = got.call().task() == expected.task() ? 1 : 0;
                c[i] = got.call().render().equals(expected.render()) ? 1 : 0;
            }
            task = Bootstrap.estimate(t);
            call = Bootstrap.estimate(c);
        }
        if (!matching.isEmpty()) {
            List<String> out = SftTrainer.greedy(lm, matching, batch, maxSource, 16);
            double[] m = new double[out.size()];
            List<ExpertRegistry.Registered> all = registry.all();
            for (int i = 0; i < out.size(); i++) {
                var chosen = ExpertChoice.parse(out.get(i), all);
                if (chosen == null) unknown++;
                else m[i] = chosen.id().equals(matching.get(i).target().strip()) ? 1 : 0;
            }
            match = Bootstrap.estimate(m);
        }
        return new Report(task, call, unparsed, match, unknown);
    }
}
