package org.crs4j.crs.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** `crs4j eval ...`: one subcommand per evaluated component. */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Evaluate a component on a dataset split (rec: the recommender).",
        subcommands = {EvalRecCommand.class})
final class EvalCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
