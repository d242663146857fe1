package org.crs4j.crs.cli;

import picocli.CommandLine.Command;

/** `crs4j llmcrs`: seed 000's LLMCRS on a dataset's real dialogues. */
@Command(name = "llmcrs", mixinStandardHelpOptions = true,
        description = "LLMCRS (seed 000 §3): run one turn on a real dialogue and show every stage, or measure the sub-task labeler.",
        subcommands = {LlmcrsTurnCommand.class, LlmcrsRunCommand.class, LlmcrsLabelsCommand.class})
final class LlmcrsCommand implements Runnable {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
