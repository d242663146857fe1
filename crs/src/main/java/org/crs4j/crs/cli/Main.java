package org.crs4j.crs.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The crs4j command line. Each subcommand lives next to the code it drives; this class only assembles them, and
 * {@link CliConventions} gives all of them the same help, version and error behaviour. A new command is added to
 * {@code subcommands} below and needs nothing else: it throws an exception whose message names the file or option,
 * and the user sees {@code crs4j <command>: <message>}.
 */
@Command(name = "crs4j", versionProvider = Main.VersionProvider.class,
        description = "Pure-Java deep learning and LLM-enhanced conversational recommender systems.",
        subcommands = {InfoCommand.class, TensorsCommand.class, org.crs4j.data.cli.DataCommand.class,
                org.crs4j.models.cli.TokenizeCommand.class, org.crs4j.models.cli.GenerateCommand.class,
                TrainCommand.class, EvalCommand.class, ScoreCommand.class, DiagnoseCommand.class, LlmcrsCommand.class,
                ServeCommand.class, ChatCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code (used by tests). */
    public static int run(String... args) {
        CommandLine cli = CliConventions.apply(new CommandLine(new Main()), new VersionProvider());
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError | StackOverflowError e) { // errors are not exceptions: picocli lets them through
            if ("1".equals(System.getenv("CRS4J_DEBUG"))) e.printStackTrace();
            System.err.println("crs4j: " + CliConventions.describe(e));
            return 1;
        }
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Without a command: the usage, as {@code crs4j --help} prints it. */
    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"crs4j " + org.crs4j.tensor.Version.get()};
        }
    }
}
