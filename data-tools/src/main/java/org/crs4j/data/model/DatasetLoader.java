package org.crs4j.data.model;

import java.nio.file.Path;
import org.crs4j.data.io.ReadReport;

/** Reads one dataset from its folder under the data directory into the common model. */
public interface DatasetLoader {

    /** The name used on the command line and as the folder name under the data directory. */
    String name();

    /** Knowledge-graph variants this dataset offers (the first is the default). */
    default java.util.List<String> graphVariants() { return java.util.List.of("default"); }

    /** Whether enough of the dataset is present under {@code dataDir} to load it. */
    boolean present(Path dataDir);

    Dataset load(Path dataDir, Options options);

    /**
     * @param report how malformed records are handled (strict or lenient)
     * @param graph  a value of {@link #graphVariants()}, or null for the default
     */
    record Options(ReadReport report, String graph) {
        public static Options strict() { return new Options(ReadReport.strict(), null); }
    }
}
