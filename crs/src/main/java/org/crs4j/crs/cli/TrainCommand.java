package org.crs4j.crs.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** `crs4j train ...`: one subcommand per trainable component. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a component: the recommender (rec), the controller LLM by supervised fine-tuning (controller), then by RLPF (rlpf).",
        subcommands = {TrainRecCommand.class, TrainControllerCommand.class, TrainRlpfCommand.class})
final class TrainCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name what to " + spec.name() + ": " + String.join(", ", spec.subcommands().keySet()));
    }
}
