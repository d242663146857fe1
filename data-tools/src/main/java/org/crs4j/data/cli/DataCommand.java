package org.crs4j.data.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code crs4j data}: statistics, preparation and download of the CRS datasets. */
@Command(name = "data", mixinStandardHelpOptions = true,
        description = "Conversational-recommendation datasets and their knowledge graphs: stats, prepare, fetch.",
        subcommands = {DataStatsCommand.class, DataPrepareCommand.class, DataFetchCommand.class})
public final class DataCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() { spec.commandLine().usage(spec.commandLine().getOut()); }
}
