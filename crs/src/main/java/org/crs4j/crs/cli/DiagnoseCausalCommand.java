package org.crs4j.crs.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.crs4j.crs.rec.CausalDiagnosticCharts;
import org.crs4j.crs.rec.CausalDiagnostics;
import org.crs4j.crs.rec.RecModelDirectory;
import org.crs4j.data.model.Split;
import org.crs4j.models.cli.DeviceOption;
import org.crs4j.tensor.Device;
import org.crs4j.tensor.io.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** `crs4j diagnose causal`: seed 003's Figure 4 for a trained model, as PNGs and the CSVs behind them. */
@Command(name = "causal", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Rank changes and KL(p-bar || p) under the intervention of Eq. 5 (seed 003, Figure 4) for each sample of a split:",
                "writes delta-rank-heatmap.png, kl-by-rank.png and the CSVs behind them (samples.csv, delta-rank-heatmap.csv, kl-by-rank.csv)."})
final class DiagnoseCausalCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin DataOptions data = new DataOptions();
    @Mixin DeviceOption device = new DeviceOption();

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A model directory written by `crs4j train rec` (full or no-causal).")
    Path model;

    @Option(names = "--split", paramLabel = "NAME", description = "test (default) or valid.")
    String split = "test";

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where the PNGs and CSVs go (created if missing).")
    Path out;

    @Override
    public Integer call() throws Exception {
        Split s = SplitOption.heldOut(split);
        Device target = device.resolve(); // before any data is read
        if (Files.exists(out) && !Files.isDirectory(out)) throw new IllegalArgumentException("--out " + out + ": exists and is not a folder");
        RecModelDirectory dir = RecModelDirectory.open(model);
        if (dir.config().settings().pooling().equals("self-attention")) {
            throw new IllegalArgumentException("--model " + model + ": a " + dir.config().settings().variant()
                    + " model has no time-aware pooling, on which the intervention of Eq. 5 is defined");
        }
        PrintWriter pw = spec.commandLine().getOut();
        var prepared = dir.config().data().obtain(data.dataDir(), data.cacheDir(), org.crs4j.data.prepare.Progress.NONE);
        var rec = dir.load(prepared, target);
        CausalDiagnostics.Result r = CausalDiagnostics.run(rec, prepared, s);
        Files.createDirectories(out);
        AtomicFiles.writeString(out.resolve("samples.csv"), r.samplesCsv());
        AtomicFiles.writeString(out.resolve("delta-rank-heatmap.csv"), r.heatCsv());
        AtomicFiles.writeString(out.resolve("kl-by-rank.csv"), r.klCsv());
        String what = rec.name() + " on " + prepared.name() + " " + s.label();
        CausalDiagnosticCharts.heatMap(r, "Δrank under the intervention, " + what + ": samples per cell (" + r.inTop().size() + " in all)", out.resolve(CausalDiagnosticCharts.HEAT_MAP));
        CausalDiagnosticCharts.klByRank(r, "KL(p̄ || p) by original rank: " + what, out.resolve(CausalDiagnosticCharts.KL));

        long up = r.inTop().stream().filter(x -> x.delta() > 0).count(), down = r.inTop().stream().filter(x -> x.delta() < 0).count();
        double meanKlUp = r.inTop().stream().filter(x -> x.delta() > 0).mapToDouble(CausalDiagnostics.Sample::kl).average().orElse(Double.NaN);
        double meanKlDown = r.inTop().stream().filter(x -> x.delta() < 0).mapToDouble(CausalDiagnostics.Sample::kl).average().orElse(Double.NaN);
        pw.printf(Locale.ROOT, "%s: %,d samples; %,d with fewer than 2 context entities left out; %,d analysed, %,d with the target in both top-%d lists%n",
                what, r.samples(), r.shortContexts(), r.analysed().size(), r.inTop().size(), CausalDiagnostics.TOP);
        pw.printf(Locale.ROOT, "  of those: Rank + %,d (intervention ranks the target higher), Rank - %,d, unchanged %,d; mean KL(p-bar || p): Rank + %.4f, Rank - %.4f%n",
                up, down, r.inTop().size() - up - down, meanKlUp, meanKlDown);
        pw.println("  wrote " + out.resolve(CausalDiagnosticCharts.HEAT_MAP) + ", " + out.resolve(CausalDiagnosticCharts.KL) + " and 3 CSVs");
        pw.flush();
        return 0;
    }
}
