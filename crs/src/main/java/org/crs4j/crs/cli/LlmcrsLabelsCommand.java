package org.crs4j.crs.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.crs4j.crs.llmcrs.Environment;
import org.crs4j.crs.llmcrs.LabelAgreement;
import org.crs4j.crs.llmcrs.SubTask;
import org.crs4j.crs.llmcrs.SubTaskLabeler;
import org.crs4j.data.model.Role;
import org.crs4j.data.model.Split;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** `crs4j llmcrs labels`: the sub-task labeler on a split, and its agreement with the dataset's annotation. */
@Command(name = "labels", mixinStandardHelpOptions = true,
        description = "Label every recommender turn of a split with its sub-task (annotation where the dataset has one, else the rules) "
                + "and, where annotations exist (TG-ReDial), measure how often the rules agree with them.")
final class LlmcrsLabelsCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin DatasetOptions data = new DatasetOptions();

    @Option(names = "--split", paramLabel = "SPLIT", defaultValue = "valid", description = "train, valid or test (default: valid).")
    String split;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Split s = LlmcrsTurnCommand.parseSplit(split);
        Environment env = data.environment();
        try (var db = env.db()) {
            var prepared = env.data().split(s);
            if (prepared == null || prepared.dialogues().isEmpty())
                throw new IllegalArgumentException("--split " + split + ": " + data.dataset + " has no " + s.label() + " dialogues here");
            SubTaskLabeler labeler = new SubTaskLabeler(env);
            int[] counts = new int[SubTask.values().length];
            int annotated = 0, total = 0;
            for (var d : prepared.dialogues()) {
                for (int t = 1; t < d.turns().size(); t++) {
                    if (d.turns().get(t).role() != Role.RECOMMENDER) continue;
                    var l = labeler.label(d.turns(), t);
                    counts[l.task().ordinal()]++;
                    total++;
                    if (l.source() == SubTaskLabeler.Source.ANNOTATION) annotated++;
                }
            }
            out.printf(Locale.ROOT, "%s %s: %d recommender turns after the first, %d labeled from annotations, %d by rules%n",
                    data.dataset, s.label(), total, annotated, total - annotated);
            for (SubTask t : SubTask.values())
                out.printf(Locale.ROOT, "  %-24s %6d (%.1f%%)%n", t.id(), counts[t.ordinal()], total == 0 ? 0 : 100.0 * counts[t.ordinal()] / total);
            LabelAgreement a = LabelAgreement.measure(prepared, labeler, env, false);
            if (a.annotated() > 0) {
                out.println("rules against the annotation, turns' items as the dataset gives them:");
                for (String line : a.lines()) out.println("  " + line);
                out.println("rules against the annotation, items and entities re-linked from the text alone:");
                for (String line : LabelAgreement.measure(prepared, labeler, env, true).lines()) out.println("  " + line);
            } else out.println("no turn carries an annotation the labeler reads (only TG-ReDial's goal actions are read)");
            if (env.data().name().equals("inspired")) {
                var original = org.crs4j.data.inspired.InspiredLoader.readOriginalPartial(
                        org.crs4j.data.cli.DataDirectory.resolve(data.dataDir, System.getenv(org.crs4j.data.cli.DataDirectory.ENV)),
                        org.crs4j.data.io.ReadReport.strict());
                List<org.crs4j.data.model.Dialogue> all = new java.util.ArrayList<>();
                original.values().forEach(all::addAll);
                if (!all.isEmpty()) {
                    out.println("rules against INSPIRED's recommender strategies (original TSVs " + String.join("+", original.keySet())
                            + ", " + all.size() + " dialogues, utterance level, text alone; rows: strategy, columns: the rules' sub-task):");
                    for (String line : LabelAgreement.crossTab(all, labeler, env)) out.println("  " + line);
                }
            }
        }
        out.flush();
        return 0;
    }
}
