package org.crs4j.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Sustained read-only memory bandwidth: the limit a matrix-vector product, which reads each weight once, can reach.
 *
 * <p>Method: 1 GiB (32 times a 32 MiB L3) of off-heap memory, written once at setup so that its pages exist. Each
 * operation is one full pass in which the {@link Parallel} threads each read a contiguous 1/T share with vector
 * loads, summed into independent accumulators (so that add latency never limits the stream) and returned (so that
 * the JIT cannot drop the loads). Nothing is written. Two access patterns, since DRAM rewards parallel streams:
 * {@code sequential} reads the share front to back; {@code interleaved} reads it as consecutive groups of four
 * 16 KiB blocks, the four blocks side by side, which is how the matrix-vector kernel reads four rows of 4096 floats.
 * The bandwidth to compare with is the better of the two ({@code scripts/bench-matvec.sh} takes it). The secondary
 * metric {@code gbytes} counts the bytes read: per second, GB/s (JMH labels it "ops/s").
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx2g"})
public class BandwidthBenchmark {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final long BYTES = 1L << 30;
    /** Per-thread work is cut into chunks addressed with int offsets, which C2 compiles into a tight counted loop. */
    private static final int CHUNK = 1 << 22;
    private static final int BLOCK = 1 << 14;

    @Param({"sequential", "interleaved"})
    public String pattern;

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
        System.out.println("\nread bandwidth over " + (BYTES >> 20) + " MiB, " + pattern + ", threads=" + Parallel.THREADS
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
        boolean interleaved = pattern.equals("interleaved");
        Parallel.forEachTask(threads, t -> {
            long c0 = chunks * t / threads, c1 = chunks * (t + 1) / threads;
            float s = 0;
            for (long c = c0; c < c1; c++) {
                MemorySegment chunk = memory.asSlice(c * CHUNK, CHUNK);
                s += interleaved ? sumInterleaved(chunk) : sumSequential(chunk);
            }
            sums[t] = s;
        });
        bytes.gbytes += BYTES / 1e9;
        return sums;
    }

    private static float sumSequential(MemorySegment m) {
        int vb = F.vectorByteSize();
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        for (int o = 0; o < CHUNK; o += 4 * vb) {
            a0 = a0.add(FloatVector.fromMemorySegment(F, m, o, LE));
            a1 = a1.add(FloatVector.fromMemorySegment(F, m, o + vb, LE));
            a2 = a2.add(FloatVector.fromMemorySegment(F, m, o + 2 * vb, LE));
            a3 = a3.add(FloatVector.fromMemorySegment(F, m, o + 3 * vb, LE));
        }
        return a0.add(a1).add(a2).add(a3).reduceLanes(VectorOperators.ADD);
    }

    private static float sumInterleaved(MemorySegment m) {
        int vb = F.vectorByteSize();
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        for (int g = 0; g < CHUNK; g += 4 * BLOCK) {
            for (int o = g; o < g + BLOCK; o += vb) {
                a0 = a0.add(FloatVector.fromMemorySegment(F, m, o, LE));
                a1 = a1.add(FloatVector.fromMemorySegment(F, m, o + BLOCK, LE));
                a2 = a2.add(FloatVector.fromMemorySegment(F, m, o + 2 * BLOCK, LE));
                a3 = a3.add(FloatVector.fromMemorySegment(F, m, o + 3 * BLOCK, LE));
            }
        }
        return a0.add(a1).add(a2).add(a3).reduceLanes(VectorOperators.ADD);
    }
}
