package org.crs4j.crs.cli;

import java.nio.file.Path;
import org.crs4j.data.cli.DataDirectory;
import picocli.CommandLine.Option;

/** Where datasets and prepared caches are, for the commands that read prepared data. */
final class DataOptions {
    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Folder holding one sub-folder per dataset (default: $CRS4J_DATA_DIR, else ../shared/data).")
    Path dataDir;

    @Option(names = "--cache-dir", paramLabel = "DIR",
            description = "Where prepared caches go (default: $CRS4J_CACHE_DIR, else ~/.cache/crs4j/data).")
    Path cacheDir;

    Path dataDir() {
        return DataDirectory.resolve(dataDir, System.getenv(DataDirectory.ENV));
    }

    Path cacheDir() {
        return DataDirectory.cache(cacheDir);
    }
}
