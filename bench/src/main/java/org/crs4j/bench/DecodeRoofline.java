package org.crs4j.bench;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.crs4j.models.Quantization;
import org.crs4j.models.generation.Generation;
import org.crs4j.models.generation.GenerationConfig;
import org.crs4j.models.llama.Llama;
import org.crs4j.models.llama.LlamaConfig;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.cpu.CpuStorage;
import org.crs4j.tensor.cpu.Parallel;

/**
 * Greedy decoding speed of a LLaMA model against its memory-bandwidth limit, measured in the same run.
 *
 * <p>Decoding one token reads every weight once (all matrices, the output head; only one row of the embedding), so
 * it cannot beat {@code bandwidth / weight bytes per token}. The bandwidth is measured here, on the same machine and
 * threads, by streaming exactly those bytes: the memory-mapped weight tensors of the loaded model, summed with wide
 * vector loads on {@link Parallel#THREADS} threads (a read-only stream, like decoding). Bandwidth and decoding runs
 * alternate so that both see the same conditions, after one warm-up round of each that is reported but not counted.
 *
 * <p>With {@code q8} the model is loaded with {@link Quantization#Q8}: the bytes per token are then the int8 quants
 * and F32 scales of the quantized matrices plus the F32 norm weights, and those are what the bandwidth pass streams.
 *
 * <pre>java -cp bench/target/benchmarks.jar org.crs4j.bench.DecodeRoofline MODEL_DIR [TOKENS] [RUNS] [none|q8]</pre>
 */
public final class DecodeRoofline {
    private DecodeRoofline() {}

    private static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        int tokens = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        Quantization quantization = args.length > 3 ? Quantization.parse(args[3]) : Quantization.NONE;
        long t0load = System.nanoTime();
        try (Llama llama = Llama.load(model, null, quantization)) {
            double loadSeconds = (System.nanoTime() - t0load) / 1e9;
            LlamaConfig c = llama.config();
            List<MemorySegment> perToken = new ArrayList<>();
            List<float[]> heapPerToken = new ArrayList<>(); // F32 copies and Q8_0 scales (heap arrays)
            long bytes = 0;
            for (Map.Entry<String, Tensor> e : llama.model().stateDict().entrySet()) {
                boolean embedding = e.getKey().equals("model.embed_tokens.weight");
                if (embedding && !c.tieWordEmbeddings()) continue; // one row per token: negligible
                Tensor t = e.getValue();
                CpuStorage s = (CpuStorage) t.storage();
                if (s.floats() != null) {
                    heapPerToken.add(s.floats());
                    bytes += 4L * s.floats().length;
                    continue;
                }
                MemorySegment seg = s.segment()
                        .asSlice((long) t.offset() * t.dtype().byteSize(), (long) t.numel() * t.dtype().byteSize());
                perToken.add(seg);
                bytes += seg.byteSize();
                if (s.scales() != null) {
                    heapPerToken.add(s.scales());
                    bytes += 4L * s.scales().length;
                }
            }
            System.out.printf("model %s: %,d parameters, %s weights%s; %,d weight bytes read per token; %d threads%n",
                    model, c.parameterCount(), llama.model().outputWeight().dtype(),
                    quantization == Quantization.NONE ? " (memory-mapped)" : String.format(" (quantized while loading, %.1f s)", loadSeconds),
                    bytes, Parallel.THREADS);
            int bos = Math.max(c.bosTokenId(), 0);
            GenerationConfig cfg = GenerationConfig.greedy(tokens);
            // Warm-up, not counted: the first pass over the weights pays the page faults of the fresh mapping and runs
            // interpreted code (it measured 2.5-5.7 GB/s, which made the first run's decoding look faster than the roof).
            double warmBw = streamBandwidth(perToken, heapPerToken, bytes);
            long w0 = System.nanoTime();
            int warmTokens = Generation.generate(llama.model(), new int[][] {{bos}}, cfg, null)[0].length;
            double warmTps = warmTokens / ((System.nanoTime() - w0) / 1e9);
            System.out.printf("warm-up run (not counted): bandwidth %.2f GB/s, decoding %.2f tokens/s%n", warmBw / 1e9, warmTps);
            double[] bw = new double[runs], tps = new double[runs];
            for (int r = 0; r < runs; r++) {
                bw[r] = streamBandwidth(perToken, heapPerToken, bytes);
                long t0 = System.nanoTime();
                int n = Generation.generate(llama.model(), new int[][] {{bos}}, cfg, null)[0].length;
                tps[r] = n / ((System.nanoTime() - t0) / 1e9);
                System.out.printf("run %d: bandwidth %.2f GB/s, decoding %.2f tokens/s (limit %.2f tokens/s, %.0f%%)%n",
                        r + 1, bw[r] / 1e9, tps[r], bw[r] / bytes, 100 * tps[r] * bytes / bw[r]);
            }
            double[] limit = new double[runs], ratio = new double[runs];
            for (int r = 0; r < runs; r++) {
                limit[r] = bw[r] / bytes;
                ratio[r] = 100 * tps[r] / limit[r];
            }
            System.out.printf("crs4j decode, median (min-max) over %d runs: %s tokens/s; bandwidth %s GB/s -> limit %s tokens/s;"
                            + " decode / the same run's limit %s%n", runs, Spread.of(tps).format("%.2f"),
                    Spread.of(Arrays.stream(bw).map(x -> x / 1e9).toArray()).format("%.2f"),
                    Spread.of(limit).format("%.2f"), Spread.of(ratio).format("%.0f%%"));
        }
    }

    /** Bytes per second reading every segment and array once, split over the compute threads. */
    static double streamBandwidth(List<MemorySegment> segments, List<float[]> arrays, long bytes) {
        long chunk = 1 << 22;
        List<long[]> tasks = new ArrayList<>(); // {segment index, start, end}
        for (int i = 0; i < segments.size(); i++) {
            long size = segments.get(i).byteSize();
            for (long s = 0; s < size; s += chunk) tasks.add(new long[] {i, s, Math.min(size, s + chunk)});
        }
        long[] sink = new long[Parallel.THREADS * 8];
        long t0 = System.nanoTime();
        float[] arraySink = new float[arrays.size()];
        Parallel.forRange(arrays.size(), 1, (a, b) -> {
            for (int k = a; k < b; k++) arraySink[k] = sum(arrays.get(k));
        });
        Parallel.forRange(tasks.size(), 1, (a, b) -> {
            long acc = 0;
            for (int k = a; k < b; k++) {
                long[] task = tasks.get(k);
                acc += sum(segments.get((int) task[0]), task[1], task[2]);
            }
            sink[(a * 8 / Math.max(1, tasks.size())) % sink.length] += acc;
        });
        double s = (System.nanoTime() - t0) / 1e9;
        if (Arrays.stream(sink).sum() == 42) System.out.print("");
        return bytes / s;
    }

    /** Heap arrays are read through their own loop: heap segments must never reach the Vector API's segment loads. */
    private static float sum(float[] a) {
        FloatVector acc = FloatVector.zero(FloatVector.SPECIES_PREFERRED);
        int step = FloatVector.SPECIES_PREFERRED.length(), i = 0;
        for (; i + step <= a.length; i += step) acc = acc.add(FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, a, i));
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < a.length; i++) s += a[i];
        return s;
    }

    private static long sum(MemorySegment seg, long from, long to) {
        LongVector acc = LongVector.zero(L);
        int step = L.vectorByteSize();
        long p = from;
        for (; p + step <= to; p += step) acc = acc.add(LongVector.fromMemorySegment(L, seg, p, ByteOrder.LITTLE_ENDIAN));
        long s = acc.reduceLanes(VectorOperators.ADD);
        for (; p < to; p++) s += seg.get(java.lang.foreign.ValueLayout.JAVA_BYTE, p);
        return s;
    }
}
