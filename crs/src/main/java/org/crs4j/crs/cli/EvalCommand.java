package org.crs4j.crs.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code crs4j eval}: the papers' evaluations, one subcommand each (rec: the recommender; crs: with the LLM stage). */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Run an evaluation of the papers on a prepared dataset.",
        subcommands = {EvalRecCommand.class, EvalCrsCommand.class, EvalLlmcrsCommand.class})
public final class EvalCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name an evaluation: " + String.join(", ", spec.subcommands().keySet()));
    }
}
