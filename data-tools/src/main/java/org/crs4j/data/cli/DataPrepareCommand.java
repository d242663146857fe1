package org.crs4j.data.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.crs4j.data.itemdb.ItemDatabases;
import org.crs4j.data.kg.GraphOptions;
import org.crs4j.data.kg.RelationalGraph;
import org.crs4j.data.model.Datasets;
import org.crs4j.data.model.Split;
import org.crs4j.data.prepare.PrepareOptions;
import org.crs4j.data.prepare.PreparedData;
import org.crs4j.data.prepare.PreparedDataset;
import org.crs4j.data.prepare.PreparedSplit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "prepare", mixinStandardHelpOptions = true,
        description = "Read, link and build the knowledge graph of a dataset, and write the prepared cache and the item "
                + "database (both reused by later runs until an input file or option changes).")
final class DataPrepareCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common = new CommonOptions();

    @Parameters(paramLabel = "DATASET", description = "redial, inspired, opendialkg, tgredial or gorecdial.")
    String dataset;

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "Where prepared caches go (default: $CRS4J_CACHE_DIR, else ~/.cache/crs4j/data).")
    Path cacheDir;

    @Option(names = "--rebuild", description = "Prepare again even if the cache is current.")
    boolean rebuild;

    @Option(names = "--min-relation-count", paramLabel = "N",
            description = "Keep a KG relation only if it labels more than N directed edges (default: 1000 for ReDial's KBRD graph, as KBRD; else 0).")
    Integer minRelationCount;

    @Option(names = "--inverse", paramLabel = "MODE", description = "Reverse edges under the same relation (shared, KBRD) or their own (distinct, R-GCN). Default: shared.")
    String inverse;

    @Option(names = "--link-text", arity = "1", paramLabel = "true|false",
            description = "Link entity names in utterances (default: on for redial, tgredial, opendialkg; off for the annotated inspired, gorecdial).")
    Boolean linkText;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Path dir = common.dataDir();
        var loader = Datasets.get(dataset);
        if (common.graph != null && !loader.graphVariants().contains(common.graph) && !common.graph.equals("default"))
            throw new IllegalArgumentException("unknown --graph " + common.graph + " for " + loader.name() + " (use " + String.join(" or ", loader.graphVariants()) + ")");
        GraphOptions g = null;
        if (minRelationCount != null || inverse != null) {
            String graphName = loader.name().equals("redial") && (common.graph == null || common.graph.equals("kgsf")) ? "KBRD" : common.graph;
            g = PrepareOptions.defaultGraph(loader.name(), graphName);
            if (minRelationCount != null) {
                if (minRelationCount < 0) throw new IllegalArgumentException("--min-relation-count must be >= 0");
                g = g.withMinRelationCount(minRelationCount);
            }
            if (inverse != null) g = g.withInverse(switch (inverse.toLowerCase(Locale.ROOT)) {
                case "shared" -> GraphOptions.InverseRelations.SHARED;
                case "distinct" -> GraphOptions.InverseRelations.DISTINCT;
                default -> throw new IllegalArgumentException("--inverse must be shared or distinct, not " + inverse);
            });
        }
        long t0 = System.nanoTime();
        var loadOptions = common.loadOptions();
        var result = PreparedData.obtain(dir, loader.name(), loadOptions, new PrepareOptions(g, linkText),
                DataDirectory.cache(cacheDir), rebuild, new BarProgress(false));
        double seconds = (System.nanoTime() - t0) / 1e9;
        long t1 = System.nanoTime();
        var itemDb = ItemDatabases.obtain(dir, result, rebuild);
        double dbSeconds = (System.nanoTime() - t1) / 1e9;
        PreparedDataset d = result.dataset();
        out.printf(Locale.ROOT, "%s: %s in %.2f s -> %s%n", d.name(), result.fromCache() ? "loaded from cache" : "prepared", seconds, result.cacheFile());
        for (Split s : Split.values()) {
            PreparedSplit sp = d.split(s);
            out.printf(Locale.ROOT, "  %-5s %,7d dialogues %,9d turns %,8d recommendation samples %,8d response samples%n", s.label(),
                    sp.dialogues().size(), sp.dialogues().stream().mapToInt(x -> x.turns().size()).sum(), sp.recommendations().size(), sp.responses().size());
        }
        RelationalGraph graph = d.graph();
        var p = graph.provenance();
        boolean distinct = p.inverse() == GraphOptions.InverseRelations.DISTINCT;
        int kept = distinct ? (graph.relationCount() - 1) / 2 : graph.relationCount() - 1;
        out.printf(Locale.ROOT, "  graph %,d entities (%,d items), %d relations = %d kept of %d (> %d directed edges)%s + self_loop, %,d edges%n",
                graph.entityCount(), graph.itemEntities().length, graph.relationCount(), kept, p.rawRelations(), p.minRelationCount(),
                distinct ? " + " + kept + " inverse" : " (reverse edges share them)", graph.edgeCount());
        var l = d.linking();
        out.printf(Locale.ROOT, "  linking: %,d item mentions (%,d unknown), %,d annotated entities (%,d not in graph), %,d linked exact + %,d fuzzy; %,d targets not in graph%n",
                l.itemMentions(), l.unknownItems(), l.annotatedEntities(), l.unknownEntities(), l.linkedExact(), l.linkedFuzzy(), l.targetsWithoutEntity());
        out.printf(Locale.ROOT, "%s in %.2f s%n", ItemDatabases.describe(itemDb), dbSeconds);
        for (String line : loadOptions.report().summary()) out.println(line);
        out.flush();
        return 0;
    }
}
