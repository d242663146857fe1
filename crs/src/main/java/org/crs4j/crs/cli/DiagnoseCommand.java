package org.crs4j.crs.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** `crs4j diagnose ...`: analyses of trained models. */
@Command(name = "diagnose", mixinStandardHelpOptions = true, description = "Analyse a trained model (causal: seed 003's Figure 4).",
        subcommands = {DiagnoseCausalCommand.class})
final class DiagnoseCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name what to " + spec.name() + ": " + String.join(", ", spec.subcommands().keySet()));
    }
}
