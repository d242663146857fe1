package org.crs4j.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.cpu.CpuStorage;
import org.crs4j.tensor.cpu.Half;
import org.crs4j.tensor.cpu.MatrixOperand;
import org.crs4j.tensor.cpu.Parallel;
import org.crs4j.tensor.cpu.Sgemm;
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
 * SGEMM {@code C = A·B} on n x n matrices, all threads of {@link Parallel} (set with {@code -Dcrs4j.threads=N}).
 *
 * <p>Besides the primary score (GEMMs per second), the secondary metric {@code gflops} counts 2·n³/1e9 per GEMM:
 * JMH reports it per second, i.e. in GFLOP/s (JMH labels it "ops/s"). {@code scripts/bench-gemm.sh} runs this next
 * to NumPy/OpenBLAS on the same sizes and threads.
 *
 * <p>Layouts: {@code nn} is {@code a @ b} with both row-major, as NumPy's; {@code nt} multiplies by a transposed
 * (column-major) B, as a Linear layer does with its [out, in] weight; {@code nt-bf16} does so with a BF16 weight.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx4g"})
public class SgemmBenchmark {
    @Param({"256", "512", "1024", "2048"})
    public int n;

    @Param({"nn"})
    public String layout;

    private MatrixOperand a, b;
    private float[] c;

    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Flops {
        /** GFLOP done; per second, GFLOP/s. */
        public double gflops;
    }

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom rnd = new SplittableRandom(42);
        float[] av = new float[n * n], bv = new float[n * n];
        for (int i = 0; i < av.length; i++) {
            av[i] = (float) (rnd.nextDouble() * 2 - 1);
            bv[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        a = MatrixOperand.of(av, n, n);
        b = switch (layout) {
            case "nn" -> MatrixOperand.of(bv, n, n);
            case "nt" -> MatrixOperand.of(bv, n, n).transpose();
            case "nt-bf16" -> {
                short[] bits = new short[bv.length];
                for (int i = 0; i < bits.length; i++) bits[i] = Half.floatToBf16(bv[i]);
                yield MatrixOperand.rowMajor(CpuStorage.ofHalf(DType.BF16, bits), 0, n, n, n).transpose();
            }
            default -> throw new IllegalArgumentException("layout " + layout + ": nn, nt or nt-bf16");
        };
        c = new float[n * n];
        System.out.println("\nSGEMM n=" + n + " layout=" + layout + " threads=" + Parallel.THREADS + " species="
                + jdk.incubator.vector.FloatVector.SPECIES_PREFERRED);
    }

    @Benchmark
    public float[] sgemm(Flops flops) {
        Sgemm.sgemm(a, b, c, 0, n, false);
        flops.gflops += 2.0 * n * n * n / 1e9;
        return c;
    }
}
