package org.crs4j.bench;

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
 * The fused attention op, forward and forward + backward, at Flan-T5-Large and LLaMA-7B head shapes (see
 * {@link AttentionWorkload}); all threads of {@link Parallel}. The secondary metric {@code gflops} counts the model's
 * FLOPs: per second, GFLOP/s (JMH labels it "ops/s"). {@code scripts/bench-attention.sh} runs it next to PyTorch.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-XX:+UseParallelGC", "-Xmx6g"})
public class AttentionBenchmark {
    @Param({"t5-large", "llama-7b", "llama-7b-gqa"})
    public String shape;

    @Param({"128", "512", "2048"})
    public int seq;

    @Param({"false", "true"})
    public boolean causal;

    private AttentionWorkload work;

    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Flops {
        /** GFLOP done; per second, GFLOP/s. */
        public double gflops;
    }

    @Setup(Level.Trial)
    public void setUp() {
        work = new AttentionWorkload(shape, seq, causal);
        // The kernels run interpreted at first, 100x slower: compile them on a small instance of the same shape and
        // mask (the same code paths), so that JMH's warm-up iterations are not spent on a handful of slow calls.
        AttentionWorkload small = new AttentionWorkload(shape, Math.min(seq, 128), causal);
        for (long end = System.nanoTime() + 3_000_000_000L; System.nanoTime() < end; ) {
            small.forward();
            small.forwardBackward();
        }
        System.out.println("\nattention " + work.heads() + " seq=" + seq + " causal=" + causal + " threads=" + Parallel.THREADS
                + " species=" + jdk.incubator.vector.FloatVector.SPECIES_PREFERRED);
    }

    @Benchmark
    public Tensor forward(Flops flops) {
        Tensor out = work.forward();
        flops.gflops += work.forwardFlops() / 1e9;
        return out;
    }

    @Benchmark
    public Tensor forwardBackward(Flops flops) {
        Tensor dq = work.forwardBackward();
        flops.gflops += work.forwardBackwardFlops() / 1e9;
        return dq;
    }
}
