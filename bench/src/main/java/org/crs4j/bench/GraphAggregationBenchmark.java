package org.crs4j.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.cpu.Parallel;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * The R-GCN graph-aggregation kernel (gather and sum per segment, per-relation segment matmul, scatter-add; see
 * {@link AggregationWorkload}), forward and forward + backward, on a graph file written by {@link RgcnGraph}
 * (ReDial's DBpedia subgraph, or it scaled 10x); all threads of {@link Parallel}. The secondary metric
 * {@code medges} counts the graph's edges processed, in millions: per second, million edges/s (JMH labels it
 * "ops/s"). {@code scripts/bench-aggregation.sh} runs it next to PyTorch.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-XX:+UseParallelGC", "-Xmx6g"})
public class GraphAggregationBenchmark {
    /** The graph file (written from the data directory, or synthetic, when missing). */
    @Param("bench/target/rgcn-graph.safetensors")
    public String graph;

    /** Where the real KG is looked for when the graph file has to be made. */
    @Param("../shared/data")
    public String dataDir;

    private AggregationWorkload work;
    private double medges;

    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Edges {
        /** Million edges processed; per second, million edges/s. */
        public double medges;
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        RgcnGraph g = RgcnGraph.readOrCreate(Path.of(graph), Path.of(dataDir));
        work = new AggregationWorkload(g);
        medges = g.edges() / 1e6;
        // compile the kernels before JMH's warm-up (they run interpreted at first, many times slower)
        for (long end = System.nanoTime() + 3_000_000_000L; System.nanoTime() < end; ) work.forwardBackward();
        System.out.println("\naggregation over " + g.nodes() + " nodes, " + g.relations() + " relations, " + g.edges()
                + " edges, " + work.graph().numSegments() + " segments (" + g.description() + "), threads=" + Parallel.THREADS
                + " species=" + jdk.incubator.vector.FloatVector.SPECIES_PREFERRED);
    }

    @Benchmark
    public Tensor forward(Edges edges) {
        Tensor out = work.forward();
        edges.medges += medges;
        return out;
    }

    @Benchmark
    public Tensor forwardBackward(Edges edges) {
        Tensor dx = work.forwardBackward();
        edges.medges += medges;
        return dx;
    }
}
