package org.crs4j.crs.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The crs4j command line. Each subcommand lives next to the code it drives; this class only assembles them and
 * turns failures into one clear line on stderr (a stack trace only with CRS4J_DEBUG=1).
 */
@Command(name = "crs4j", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "Pure-Java deep learning and LLM-enhanced conversational recommender systems.",
        subcommands = {InfoCommand.class, TensorsCommand.class, org.crs4j.data.cli.DataCommand.class, TrainCommand.class,
                org.crs4j.models.cli.TokenizeCommand.class, org.crs4j.models.cli.GenerateCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code (used by tests). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if ("1".equals(System.getenv("CRS4J_DEBUG"))) e.printStackTrace();
            cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + oneLine(e)); // e.g. "crs4j train rlpf: ..."
            return 1;
        });
        cli.setParameterExceptionHandler((e, a) -> {
            // one line like every other failure; the usage is one --help away
            String name = e.getCommandLine().getCommandSpec().qualifiedName();
            e.getCommandLine().getErr().println(name + ": " + oneLine(e) + " (see " + name + " --help)");
            return e.getCommandLine().getCommandSpec().exitCodeOnInvalidInput();
        });
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) {
            if ("1".equals(System.getenv("CRS4J_DEBUG"))) e.printStackTrace();
            cli.getErr().println("crs4j: out of Java heap memory (" + oneLine(e) + "): raise it with CRS4J_JAVA_OPTS=-Xmx..."
                    + " or do less at once (fewer trained layers, a smaller batch or micro-batch)");
            return 1;
        }
    }

    static String oneLine(Throwable e) {
        String msg = e.getMessage();
        if (msg == null || msg.isBlank()) msg = e.getClass().getSimpleName();
        return msg.replace('\n', ' ');
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"crs4j " + org.crs4j.tensor.Version.get()};
        }
    }
}
