package org.crs4j.bench;

import java.util.concurrent.TimeUnit;
import org.crs4j.autograd.Variable;
import org.crs4j.nn.optim.AdamW;
import org.crs4j.nn.transformer.AttentionMasks;
import org.crs4j.nn.transformer.LlamaDecoderLayer;
import org.crs4j.nn.transformer.RotaryEmbedding;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;
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
 * One training step of a LLaMA decoder block: forward (RMSNorm, rotary causal attention with grouped kv heads,
 * RMSNorm, SwiGLU), loss = mean(y * r), backward, AdamW update. Default size: batch 8 x 128 tokens, model dim 256,
 * 8 heads of 32 with 4 kv heads, SwiGLU hidden 688 (725,504 parameters). scripts/bench-transformer-block.sh runs the
 * same step in PyTorch in the same run and prints the ratio.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-XX:+UseParallelGC", "-Xmx4g"})
public class TransformerBlockTrainStep {
    @Param({"8"}) int batch;
    @Param({"128"}) int seq;
    @Param({"256"}) int dim;
    @Param({"8"}) int heads;
    @Param({"4"}) int kvHeads;
    @Param({"688"}) int hidden;

    LlamaDecoderLayer block;
    AdamW optimizer;
    Tensor x, r;
    Variable mask;
    RotaryEmbedding.Angles angles;

    @Setup(Level.Trial)
    public void setup() {
        Generator rng = new Generator(1);
        block = new LlamaDecoderLayer(dim, heads, kvHeads, dim / heads, hidden, 1e-5, false, false, rng);
        optimizer = new AdamW(block.namedParameters(), 1e-4, 0.01);   // betas (0.9, 0.999), eps 1e-8: torch defaults
        x = Tensor.randn(rng, batch, seq, dim);
        r = Tensor.randn(rng, batch, seq, dim);
        mask = Variable.constant(AttentionMasks.additive(AttentionMasks.causal(seq, seq, 0)));
        angles = new RotaryEmbedding(dim / heads, 10000, null, RotaryEmbedding.Pairing.HALF).angles(batch, 0, seq);
    }

    @Benchmark
    public double trainStep() {
        Variable y = block.forward(Variable.constant(x), mask, angles, null);
        Variable loss = y.mul(Variable.constant(r)).mean();
        loss.backward();
        optimizer.step();
        optimizer.zeroGrad();
        return loss.item();
    }
}
