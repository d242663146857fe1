package org.crs4j.crs.cli;

import java.nio.file.Path;
import org.crs4j.crs.llmcrs.Environment;
import org.crs4j.crs.llmcrs.LlmcrsSetup;
import org.crs4j.data.cli.DataDirectory;
import org.crs4j.data.model.Datasets;
import org.crs4j.data.prepare.Progress;
import picocli.CommandLine.Option;

/** Which prepared dataset a crs command works on (the same options and defaults as {@code crs4j data prepare}). */
final class DatasetOptions {
    @Option(names = "--dataset", required = true, paramLabel = "NAME", description = "redial, inspired or tgredial.")
    String dataset;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Folder holding one sub-folder per dataset (default: $CRS4J_DATA_DIR, else ../shared/data).")
    Path dataDir;

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "Where prepared caches and item databases go (default: $CRS4J_CACHE_DIR, else ~/.cache/crs4j/data).")
    Path cacheDir;

    @Option(names = "--graph", paramLabel = "VARIANT", description = "Knowledge-graph variant (redial: kgsf (default) or unicrs).")
    String graph;

    /** Prepares (or loads from the caches) the dataset and its item database. */
    Environment environment() {
        try {
            Datasets.get(dataset);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--dataset " + e.getMessage());
        }
        return LlmcrsSetup.environment(DataDirectory.resolve(dataDir, System.getenv(DataDirectory.ENV)), dataset, graph,
                DataDirectory.cache(cacheDir), Progress.NONE);
    }
}
