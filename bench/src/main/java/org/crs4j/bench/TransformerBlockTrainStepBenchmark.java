package org.crs4j.bench;

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
 * One training step (forward, backward, AdamW) of a LLaMA decoder block: see {@link TransformerBlockTrainStep}.
 * Default size: batch 8 x 128 tokens, dim 256, 8 heads of 32 (4 kv heads), SwiGLU hidden 688 (725,504 parameters).
 * {@code scripts/bench-transformer-block.sh} runs the same step in PyTorch in the same run and prints the ratio.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-XX:+UseParallelGC", "-Xmx4g"})
public class TransformerBlockTrainStepBenchmark {
    @Param({"8"}) int batch;
    @Param({"128"}) int seq;
    @Param({"256"}) int dim;
    @Param({"8"}) int heads;
    @Param({"4"}) int kvHeads;
    @Param({"688"}) int hidden;

    private TransformerBlockTrainStep step;

    @Setup(Level.Trial)
    public void setup() {
        step = new TransformerBlockTrainStep(new TransformerBlockTrainStep.Size(batch, seq, dim, heads, kvHeads, hidden));
    }

    @Benchmark
    public double trainStep() {
        return step.step();
    }
}
