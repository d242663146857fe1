package org.crs4j.crs.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** `crs4j train`: the training stages, one subcommand each. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Trains the controller LLM: supervised fine-tuning (controller), then RLPF (rlpf).",
        subcommands = {TrainControllerCommand.class, TrainRlpfCommand.class})
final class TrainCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
