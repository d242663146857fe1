package org.crs4j.data.cli;

import java.nio.file.Path;
import org.crs4j.data.io.ReadReport;
import org.crs4j.data.model.DatasetLoader;
import picocli.CommandLine.Option;

/** Options every data subcommand takes. */
final class CommonOptions {
    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Folder holding one sub-folder per dataset (default: $CRS4J_DATA_DIR, else ../shared/data).")
    Path dataDir;

    @Option(names = "--lenient", description = "Skip malformed records and report how many, instead of stopping at the first.")
    boolean lenient;

    @Option(names = "--graph", paramLabel = "VARIANT", description = "Knowledge-graph variant (redial: kgsf (default) or unicrs).")
    String graph;

    Path dataDir() { return DataDirectory.resolve(dataDir, System.getenv(DataDirectory.ENV)); }

    DatasetLoader.Options loadOptions() { return new DatasetLoader.Options(new ReadReport(lenient), graph); }
}
