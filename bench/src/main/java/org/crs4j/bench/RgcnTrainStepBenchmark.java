package org.crs4j.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One training step (forward, backward, AdamW) of an RGCN layer over ReDial's DBpedia subgraph: 31,161 entities,
 * 24 relations, 162,642 edges, 128 dims (see {@link RgcnTrainStep} and {@link RgcnGraph}).
 * {@code scripts/bench-rgcn.sh} runs it next to the same step in PyTorch and prints the ratio.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx8g"})
public class RgcnTrainStepBenchmark {
    /** The graph file (written from the data directory, or synthetic, when missing). */
    @Param("bench/target/rgcn-graph.safetensors")
    public String graph;

    /** Where the real KG is looked for when the graph file has to be made. */
    @Param("../shared/data")
    public String dataDir;

    private RgcnTrainStep step;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        step = new RgcnTrainStep(RgcnGraph.readOrCreate(Path.of(graph), Path.of(dataDir)));
    }

    @Benchmark
    public double trainStep() {
        return step.step();
    }
}
