package org.crs4j.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.crs4j.tensor.cpu.Parallel;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Sustained read-only memory bandwidth: the limit a matrix-vector product, which reads each weight once, can reach.
 *
 * <p>Method: 1 GiB (32 times a 32 MiB L3) of off-heap memory, touched once at setup so that its pages exist. Each
 * operation is one full pass: the {@link Parallel} threads each stream a contiguous 1/T share, front to back, with
 * 512-bit or 256-bit vector loads summed into eight independent accumulators (so that add latency never limits the
 * stream), and the sums are returned so that the JIT cannot drop the loads. Nothing is written. The secondary metric
 * {@code gbytes} counts the bytes read: per second, GB/s (JMH labels it "ops/s").
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx2g"})
public class BandwidthBenchmark {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final long BYTES = 1L << 30;
    /** Per-thread work is cut into chunks addressed with int offsets, which C2 compiles into a tight counted loop. */
    private static final int CHUNK = 1 << 22;

    private Arena arena;
    private MemorySegment memory;
    private float[] sums;

    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Bytes {
        /** GB read; per second, GB/s. */
        public double gbytes;
    }

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        memory = arena.allocate(BYTES, 4096);
        memory.fill((byte) 1);
        sums = new float[Parallel.THREADS];
        System.out.println("\nread bandwidth over " + (BYTES >> 20) + " MiB, threads=" + Parallel.THREADS
                + " species=" + F);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public float[] readAll(Bytes bytes) {
        int threads = Parallel.THREADS;
        long chunks = BYTES / CHUNK;
        Parallel.forEachTask(threads, t -> {
            long c0 = chunks * t / threads, c1 = chunks * (t + 1) / threads;
            float s = 0;
            for (long c = c0; c < c1; c++) s += sumChunk(memory.asSlice(c * CHUNK, CHUNK));
            sums[t] = s;
        });
        bytes.gbytes += BYTES / 1e9;
        return sums;
    }

    private static float sumChunk(MemorySegment m) {
        int vb = F.vectorByteSize();
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        for (int o = 0; o < CHUNK; o += 8 * vb) {
            a0 = a0.add(FloatVector.fromMemorySegment(F, m, o, le));
            a1 = a1.add(FloatVector.fromMemorySegment(F, m, o + vb, le));
            a2 = a2.add(FloatVector.fromMemorySegment(F, m, o + 2 * vb, le));
            a3 = a3.add(FloatVector.fromMemorySegment(F, m, o + 3 * vb, le));
            a4 = a4.add(FloatVector.fromMemorySegment(F, m, o + 4 * vb, le));
            a5 = a5.add(FloatVector.fromMemorySegment(F, m, o + 5 * vb, le));
            a6 = a6.add(FloatVector.fromMemorySegment(F, m, o + 6 * vb, le));
            a7 = a7.add(FloatVector.fromMemorySegment(F, m, o + 7 * vb, le));
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }
}
