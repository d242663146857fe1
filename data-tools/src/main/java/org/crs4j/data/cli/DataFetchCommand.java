package org.crs4j.data.cli;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.crs4j.data.fetch.Download;
import org.crs4j.data.fetch.Fetcher;
import org.crs4j.data.fetch.OfficialSources;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "fetch", mixinStandardHelpOptions = true,
        description = "Download a dataset from its official source into the data directory (resumable; SHA-256 checked where published).")
final class DataFetchCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "DATASET", description = "redial, inspired, opendialkg, tgredial, gorecdial or movielens.")
    String dataset;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where to put it (default: $CRS4J_DATA_DIR, else ../shared/data,"
            + " as for stats and prepare; created when the first file arrives).")
    Path dataDir;

    @Option(names = "--mirror", paramLabel = "URL", description = "Fetch every file from URL/<dataset>/<file> instead of the official hosts.")
    URI mirror;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        var release = OfficialSources.RELEASES.get(dataset);
        if (release == null) throw new IllegalArgumentException("unknown dataset \"" + dataset + "\" (known: " + String.join(", ", OfficialSources.RELEASES.keySet().stream().sorted().toList()) + ")");
        Path dir = DataDirectory.forWriting(dataDir, System.getenv(DataDirectory.ENV));
        Fetcher fetcher = new Fetcher(mirror, line -> { out.println(line); out.flush(); });
        for (Download d : release.downloads()) {
            out.println("get      " + fetcher.source(d));
            out.flush();
            fetcher.fetch(d, dir, new BarProgress(true));
        }
        for (String step : release.manualSteps()) out.println("by hand: " + step);
        if (release.downloads().isEmpty()) {
            out.flush();
            throw new IllegalStateException(dataset + " has no direct download: " + String.join(" ", release.manualSteps()));
        }
        out.flush();
        return 0;
    }
}
