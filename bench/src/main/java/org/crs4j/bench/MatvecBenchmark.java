package org.crs4j.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.cpu.CpuStorage;
import org.crs4j.tensor.cpu.Half;
import org.crs4j.tensor.cpu.MatrixOperand;
import org.crs4j.tensor.cpu.Matvec;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code y = W·x} with a row-major W [rows, cols] (a Linear weight) in off-heap memory, as a memory-mapped
 * checkpoint holds it, in F32 or BF16, or quantized to Q8_0 at load time (int8 quants off-heap, F32 scales); all
 * threads of {@link Parallel}. For Q8_0 the bytes counted are the quants and the scales.
 *
 * <p>Token generation reads every weight once per token, so W must come from DRAM here too: the benchmark cycles
 * through enough copies of W (at least 512 MiB in all, several times any L3) that none is cached when it is read.
 * The secondary metric {@code gbytes} counts the bytes of W read: per second, GB/s (JMH labels it "ops/s").
 *
 * The limit to compare with is {@link BandwidthBenchmark}'s; {@code scripts/bench-matvec.sh} runs both.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx2g"})
public class MatvecBenchmark {
    @Param({"4096x4096", "11008x4096"})
    public String shape;

    @Param({"F32", "BF16", "Q8_0"})
    public String dtype;

    private static final long MIN_TOTAL_BYTES = 512L << 20;

    private Arena arena;
    private MatrixOperand[] weights;
    private float[] x, y;
    private long bytesPerWeight;
    private int next;

    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Bytes {
        /** GB of weights read; per second, GB/s. */
        public double gbytes;
    }

    @Setup(Level.Trial)
    public void setUp() {
        String[] rc = shape.split("x");
        int rows = Integer.parseInt(rc[0]), cols = Integer.parseInt(rc[1]);
        DType dt = DType.valueOf(dtype);
        bytesPerWeight = dt.storageBytes((long) rows * cols);
        int copies = (int) Math.max(2, (MIN_TOTAL_BYTES + bytesPerWeight - 1) / bytesPerWeight);
        arena = Arena.ofShared();
        SplittableRandom rnd = new SplittableRandom(42);
        weights = new MatrixOperand[copies];
        for (int c = 0; c < copies; c++) {
            if (dt == DType.Q8_0) {
                float[] values = new float[rows * cols];
                for (int i = 0; i < values.length; i++) values[i] = (float) (rnd.nextDouble() * 0.1 - 0.05);
                CpuStorage q = (CpuStorage) Tensor.of(values, rows, cols).to(DType.Q8_0).storage();
                weights[c] = MatrixOperand.rowMajor(q, 0, rows, cols, cols);
                continue;
            }
            MemorySegment seg = arena.allocate(bytesPerWeight, 64);
            for (long i = 0; i < (long) rows * cols; i++) {
                float v = (float) (rnd.nextDouble() * 0.1 - 0.05);
                if (dt == DType.F32) seg.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, v);
                else seg.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, Half.floatToBf16(v));
            }
            weights[c] = MatrixOperand.rowMajor(CpuStorage.wrap(dt, seg, arena), 0, rows, cols, cols);
        }
        x = new float[cols];
        for (int i = 0; i < cols; i++) x[i] = (float) (rnd.nextDouble() * 2 - 1);
        y = new float[rows];
        System.out.println("\nmatvec " + shape + " " + dtype + " off-heap, " + copies + " copies of "
                + bytesPerWeight / (1 << 20) + " MiB, threads=" + Parallel.THREADS + " species="
                + jdk.incubator.vector.FloatVector.SPECIES_PREFERRED);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public float[] matvec(Bytes bytes) {
        MatrixOperand w = weights[next];
        next = next + 1 == weights.length ? 0 : next + 1;
        Matvec.matvec(w, x, y, false);
        bytes.gbytes += bytesPerWeight / 1e9;
        return y;
    }
}
