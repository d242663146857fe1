package org.crs4j.crs.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The crs4j command line. Each subcommand lives next to the code it drives; this class only assembles them and
 * turns failures into one clear line on stderr (a stack trace only with CRS4J_DEBUG=1).
 */
@Command(name = "crs4j", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "Pure-Java deep learning and LLM-enhanced conversational recommender systems.",
        subcommands = {InfoCommand.class, TensorsCommand.class, org.crs4j.data.cli.DataCommand.class,
                org.crs4j.models.cli.TokenizeCommand.class, org.crs4j.models.cli.GenerateCommand.class,
                ScoreCommand.class, EvalCommand.class, ServeCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code (used by tests). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if ("1".equals(System.getenv("CRS4J_DEBUG"))) e.printStackTrace();
            // the full command path ("crs4j eval crs"), so a subcommand's error names the command as it was typed
            cmd.getErr().println(cmd.getCommandSpec().qualifiedName(" ") + ": " + oneLine(e));
            return 1;
        });
        return cli.execute(args);
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
