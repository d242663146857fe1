package org.crs4j.crs.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.List;
import org.crs4j.io.Problems;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * What every crs4j command does the same way, applied once to the whole command tree in {@link Main}, so that a
 * command added there needs nothing of its own:
 *
 * <ul>
 *   <li>errors are one line, {@code crs4j <command path>: <file or option>: <what is wrong>}, with a non-zero exit
 *       status (2 for a bad command line, 1 for a failure while running) and no stack trace unless
 *       {@code CRS4J_DEBUG=1};</li>
 *   <li>a bad option or argument prints that line and a pointer to {@code --help}, not the whole usage;</li>
 *   <li>{@code -h/--help} and {@code -V/--version} on every command, and {@code help [COMMAND]} wherever there are
 *       subcommands ({@code crs4j help generate}, {@code crs4j data help stats});</li>
 *   <li>an empty value for a file or folder option ({@code --data-dir ""}) is refused instead of meaning the current
 *       folder.</li>
 * </ul>
 */
final class CliConventions {
    private CliConventions() {}

    /** Applies the conventions to {@code root} and every command below it. */
    static CommandLine apply(CommandLine root, CommandLine.IVersionProvider version) {
        addHelpCommands(root);
        configure(root, version);
        root.setParameterExceptionHandler(CliConventions::badCommandLine);
        root.setExecutionExceptionHandler((e, cmd, parsed) -> failed(cmd, e));
        root.setExecutionStrategy(parsed -> {
            refuseEmptyPaths(parsed);
            return new CommandLine.RunLast().execute(parsed);
        });
        return root;
    }

    private static void addHelpCommands(CommandLine cmd) {
        if (cmd.getSubcommands().isEmpty()) return;
        for (CommandLine sub : List.copyOf(cmd.getSubcommands().values())) addHelpCommands(sub);
        if (!cmd.getSubcommands().containsKey("help")) cmd.addSubcommand("help", new CommandLine.HelpCommand());
    }

    private static void configure(CommandLine cmd, CommandLine.IVersionProvider version) {
        CommandSpec spec = cmd.getCommandSpec();
        if (!(cmd.getCommand() instanceof CommandLine.HelpCommand)) spec.mixinStandardHelpOptions(true);
        if (spec.versionProvider() == null && spec.version().length == 0) spec.versionProvider(version);
        for (CommandLine sub : cmd.getSubcommands().values()) configure(sub, version);
    }

    /** "crs4j data stats: " */
    static String prefix(CommandLine cmd) {
        return cmd.getCommandSpec().qualifiedName() + ": ";
    }

    private static int badCommandLine(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println(prefix(cmd) + what(e));
        err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** picocli's message, led by the option or parameter it is about. */
    static String what(ParameterException e) {
        String msg = Problems.oneLine(e.getMessage());
        if (e instanceof CommandLine.UnmatchedArgumentException u) {
            List<String> unmatched = u.getUnmatched();
            String first = unmatched.isEmpty() ? "" : unmatched.getFirst();
            if (first.startsWith("-")) return first + ": unknown option";
            return first + ": unexpected argument" + (u.getCommandLine().getSubcommands().isEmpty() ? "" : " (not a command: see --help)");
        }
        if (e instanceof CommandLine.MissingParameterException m && !m.getMissing().isEmpty()) {
            ArgSpec missing = m.getMissing().getFirst();
            boolean valueOnly = msg.startsWith("Missing required parameter for option"); // the option is there, its value not
            return name(missing) + (valueOnly ? ": missing its value (" + missing.paramLabel() + ")" : ": missing (required)");
        }
        ArgSpec arg = e.getArgSpec();
        if (arg != null) {
            String name = name(arg);
            String stripped = msg.replaceFirst("^Invalid value for (option|positional parameter) '[^']*'( at index \\d+ \\([^)]*\\))?: ", "");
            return stripped.startsWith(name + ":") ? stripped : name + ": " + stripped;
        }
        return msg;
    }

    private static String name(ArgSpec arg) {
        if (arg instanceof OptionSpec o) return o.longestName();
        return arg.paramLabel();
    }

    /** A failure while running: one line naming what it can. */
    static int failed(CommandLine cmd, Exception e) {
        if ("1".equals(System.getenv("CRS4J_DEBUG"))) e.printStackTrace();
        if (e instanceof ParameterException p) return badCommandLine(p, new String[0]);
        PrintWriter err = cmd.getErr();
        err.println(prefix(cmd) + describe(e));
        err.flush();
        return 1;
    }

    /** The one-line message of a failure; file-system failures lead with their file. */
    static String describe(Throwable e) {
        if (e instanceof UncheckedIOException u && u.getCause() != null) {
            String msg = u.getMessage();
            boolean ownMessage = msg != null && !msg.equals(u.getCause().toString());
            return ownMessage ? Problems.oneLine(msg) : describe(u.getCause());
        }
        if (e instanceof FileSystemException f && f.getFile() != null) {
            return f.getFile() + (f.getOtherFile() != null ? " -> " + f.getOtherFile() : "") + ": " + Problems.reason(f);
        }
        if (e instanceof OutOfMemoryError) {
            return "out of memory: the JVM's maximum heap is " + (Runtime.getRuntime().maxMemory() >> 20)
                    + " MiB (raise it with CRS4J_JAVA_OPTS=-Xmx...)";
        }
        if (e instanceof StackOverflowError) return "input nested too deeply (stack overflow)";
        return Problems.reason(e);
    }

    /** An empty file or folder option would silently mean the current folder. */
    private static void refuseEmptyPaths(ParseResult parsed) {
        for (ParseResult pr = parsed; pr != null; pr = pr.subcommand()) {
            for (ArgSpec arg : pr.matchedArgs()) {
                boolean pathLike = arg.type() == Path.class || arg.auxiliaryTypes().length > 0 && arg.auxiliaryTypes()[0] == Path.class;
                if (!pathLike) continue;
                for (String v : arg.originalStringValues()) {
                    if (v.isBlank()) {
                        throw new ParameterException(pr.commandSpec().commandLine(), name(arg) + ": empty value (give a file or folder)", arg, v);
                    }
                }
            }
        }
    }
}
