package org.crs4j.data.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.crs4j.data.inspired.InspiredLoader;
import org.crs4j.data.model.Dataset;
import org.crs4j.data.model.DatasetLoader;
import org.crs4j.data.model.Datasets;
import org.crs4j.data.stats.DatasetStats;
import org.crs4j.data.stats.PublishedFigures;
import org.crs4j.data.stats.StatsReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "stats", mixinStandardHelpOptions = true,
        description = "Print a dataset's statistics next to the papers' figures and the share of each that is present.")
final class DataStatsCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common = new CommonOptions();

    @Parameters(arity = "0..1", paramLabel = "DATASET", description = "redial, inspired, opendialkg, tgredial or gorecdial (default: all).")
    String dataset;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Path dir = common.dataDir();
        List<DatasetLoader> loaders = dataset == null ? Datasets.all() : List.of(Datasets.get(dataset));
        for (DatasetLoader loader : loaders) {
            if (loaders.size() > 1) out.println();
            print(out, dir, loader);
        }
        for (String line : common.loadOptions().report().summary()) out.println(line);
        out.flush();
        return 0;
    }

    private void print(PrintWriter out, Path dir, DatasetLoader loader) {
        PublishedFigures published = PublishedFigures.BY_DATASET.get(loader.name());
        if (!loader.present(dir)) {
            out.printf(Locale.ROOT, "%s: not present in %s%n", loader.name(), dir.resolve(loader.name()));
            if (published != null) out.printf(Locale.ROOT, "published: %,d dialogues, %,d utterances%s (%s); present: 0%%%n",
                    published.dialogues(), published.utterances(),
                    published.items() == null ? "" : String.format(Locale.ROOT, ", %,d items", published.items()), published.source());
            out.println("see " + dir.resolve(loader.name()).resolve("SOURCE.md") + " if it exists, and data-tools/README.md");
            return;
        }
        var options = common.loadOptions();
        var progress = new BarProgress(false);
        progress.start("reading " + loader.name(), -1); // several seconds for ReDial: show that it is working
        Dataset d;
        try {
            d = loader.load(dir, options);
        } finally {
            progress.done();
        }
        for (String line : StatsReport.lines(DatasetStats.of(d), published, d.notes())) out.println(line);
        if (loader.name().equals(InspiredLoader.NAME)) {
            var original = InspiredLoader.readOriginalPartial(dir, options.report());
            original.forEach((split, dialogues) -> out.printf(Locale.ROOT,
                    "original release %s.tsv: %,d dialogues, %,d utterances%n", split, dialogues.size(),
                    dialogues.stream().mapToInt(x -> x.turns().size()).sum()));
        }
        List<String> problems = options.report().summary();
        problems.forEach(out::println);
    }

}
