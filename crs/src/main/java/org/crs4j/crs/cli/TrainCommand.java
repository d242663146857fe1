package org.crs4j.crs.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** `crs4j train ...`: one subcommand per trainable component. */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train a component (rec: the recommender).",
        subcommands = {TrainRecCommand.class})
final class TrainCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name what to " + spec.name() + ": " + String.join(", ", spec.subcommands().keySet()));
    }
}
