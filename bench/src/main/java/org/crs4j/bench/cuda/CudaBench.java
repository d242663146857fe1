package org.crs4j.bench.cuda;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.crs4j.autograd.Variable;
import org.crs4j.bench.RgcnGraph;
import org.crs4j.bench.RgcnTrainStep;
import org.crs4j.models.generation.DecodingSession;
import org.crs4j.models.llama.LlamaConfig;
import org.crs4j.models.llama.LlamaModel;
import org.crs4j.nn.graph.RGCN;
import org.crs4j.nn.graph.RelationalGraph;
import org.crs4j.nn.transformer.RotaryEmbedding;
import org.crs4j.tensor.Backends;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Device;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.cuda.CudaBackend;

/**
 * The GPU measurements of issue 14, each printed as one JSON line per configuration (the peer,
 * {@code scripts/bench_cuda_peers.py}, prints the same keys; {@code scripts/cuda-device-check.sh} runs both in
 * alternation and {@code scripts/cuda_bench_table.py} pairs them):
 * <pre>
 *   CudaBench attention                 fused attention forward and forward+backward, Flan-T5-Large and LLaMA-7B head
 *                                       shapes (GQA too), 128-2048 tokens, causal and not: ms and TFLOP/s
 *   CudaBench aggregation GRAPH         the R-GCN layer (gather, per-relation segment matmul, scatter-add) forward and
 *                                       backward on GRAPH (RgcnGraph's file) and on it tiled 10 times: edges/s
 *   CudaBench decode                    greedy decoding of a LLaMA-2-7B-shaped BF16 model (random weights made on the
 *                                       GPU) against the roof: the device's read bandwidth / weight bytes per token
 *   CudaBench train-parity GRAPH STEPS  RgcnTrainStep's losses on the CPU and on the GPU, step by step
 * </pre>
 * Timing: after warm-up, {@code windows} windows of {@code iters} iterations each, the device synchronised around each
 * window; min, median and max of the per-iteration time over the windows are printed.
 */
public final class CudaBench {
    private CudaBench() {}

    static final Device GPU = Device.cuda(0);
    static int windows = Integer.getInteger("crs4j.bench.windows", 5);

    public static void main(String[] args) throws IOException {
        Locale.setDefault(Locale.ROOT);
        if (args.length == 0) {
            System.err.println("usage: CudaBench attention | aggregation GRAPH | decode [TOKENS] | train-parity GRAPH STEPS");
            System.exit(2);
        }
        CudaBackend gpu = (CudaBackend) Backends.get(GPU);
        System.err.println("device " + gpu.device() + ", GEMM: " + gpu.cudaDevice().blasDescription());
        switch (args[0]) {
            case "attention" -> attention(gpu);
            case "aggregation" -> aggregation(gpu, RgcnGraph.read(Path.of(args[1])));
            case "decode" -> decode(gpu, args.length > 1 ? Integer.parseInt(args[1]) : 64);
            case "train-parity" -> trainParity(RgcnGraph.read(Path.of(args[1])), Integer.parseInt(args[2]));
            default -> throw new IllegalArgumentException("unknown benchmark " + args[0]);
        }
    }

    /** Per-iteration seconds of each window: {min, median, max}. */
    static double[] time(CudaBackend gpu, int iters, Runnable body) {
        for (int i = 0; i < 3; i++) body.run();
        gpu.synchronize();
        double[] w = new double[windows];
        for (int k = 0; k < windows; k++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < iters; i++) body.run();
            gpu.synchronize();
            w[k] = (System.nanoTime() - t0) / 1e9 / iters;
        }
        Arrays.sort(w);
        return new double[] {w[0], w[windows / 2], w[windows - 1]};
    }

    static void emit(String json) {
        System.out.println(json);
        System.out.flush();
    }

    // ------------------------------------------------------------------ attention

    /** {name, batch, heads, kvHeads, headDim}: Flan-T5-Large, LLaMA-7B, and LLaMA-7B with 8 kv heads (GQA). */
    static final Object[][] ATTENTION_MODELS = {{"flan-t5-large", 16, 16, 64}, {"llama-7b", 32, 32, 128}, {"llama-7b-gqa", 32, 8, 128}};

    static void attention(CudaBackend gpu) {
        Generator rng = new Generator(1);
        for (Object[] m : ATTENTION_MODELS) {
            String name = (String) m[0];
            int h = (int) m[1], hkv = (int) m[2], d = (int) m[3];
            for (int t : new int[] {128, 512, 2048}) {
                int b = Math.max(1, 4096 / t); // 4096 tokens per batch
                Tensor q = gpu.random(Generator.Distribution.NORMAL, rng, 0, 1, DType.F32, b, h, t, d);
                Tensor k = gpu.random(Generator.Distribution.NORMAL, rng, 0, 1, DType.F32, b, hkv, t, d);
                Tensor v = gpu.random(Generator.Distribution.NORMAL, rng, 0, 1, DType.F32, b, hkv, t, d);
                Tensor g = gpu.random(Generator.Distribution.NORMAL, rng, 0, 1, DType.F32, b, h, t, d);
                double scale = 1 / Math.sqrt(d);
                for (boolean causal : new boolean[] {false, true}) {
                    double fwdFlops = 4.0 * b * h * t * (double) t * d * (causal ? 0.5 : 1);
                    Tensor[] out = new Tensor[1];
                    double[] fwd = time(gpu, 5, () -> out[0] = gpu.attention(q, k, v, null, scale, causal));
                    double[] both = time(gpu, 3, () -> {
                        Tensor o = gpu.attention(q, k, v, null, scale, causal);
                        gpu.attentionBackward(q, k, v, null, scale, o, g, new boolean[] {true, true, true}, causal);
                    });
                    String shape = String.format("\"model\": \"%s\", \"batch\": %d, \"heads\": %d, \"kv_heads\": %d, \"head_dim\": %d, "
                            + "\"tokens\": %d, \"causal\": %b", name, b, h, hkv, d, t, causal);
                    emitTimed("attention", shape, "fwd", "float32", fwd, fwdFlops / 1e12, "tflops");
                    emitTimed("attention", shape, "fwd+bwd", "float32", both, 3.5 * fwdFlops / 1e12, "tflops");
                }
            }
        }
    }

    static void emitTimed(String bench, String shape, String pass, String dtype, double[] s, double work, String unit) {
        emit(String.format("{\"side\": \"crs4j\", \"bench\": \"%s\", %s, \"pass\": \"%s\", \"dtype\": \"%s\", "
                        + "\"ms\": [%.4f, %.4f, %.4f], \"%s\": [%.4f, %.4f, %.4f]}", bench, shape, pass, dtype,
                s[0] * 1e3, s[1] * 1e3, s[2] * 1e3, unit, work / s[2], work / s[1], work / s[0]));
    }

    // ------------------------------------------------------------------ graph aggregation

    /** The graph tiled {@code copies} times with node ids randomly permuted (same degree distribution, no locality). */
    static RgcnGraph tiled(RgcnGraph g, int copies) {
        int n = g.nodes() * copies, e = g.edges();
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        SplittableRandom r = new SplittableRandom(10);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1), t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        int[] src = new int[e * copies], dst = new int[e * copies], rel = new int[e * copies];
        for (int c = 0; c < copies; c++) {
            for (int i = 0; i < e; i++) {
                src[c * e + i] = perm[c * g.nodes() + g.src()[i]];
                dst[c * e + i] = perm[c * g.nodes() + g.dst()[i]];
                rel[c * e + i] = g.rel()[i];
            }
        }
        return new RgcnGraph(n, g.relations(), src, dst, rel, g.description() + ", tiled " + copies + "x");
    }

    static void aggregation(CudaBackend gpu, RgcnGraph redial) throws IOException {
        String variant = Boolean.parseBoolean(System.getProperty("crs4j.cuda.deterministic", "true")) ? "deterministic" : "atomic";
        for (int copies : new int[] {1, 10}) {
            RgcnGraph g = copies == 1 ? redial : tiled(redial, copies);
            if (copies > 1) g.write(Path.of(System.getProperty("java.io.tmpdir"), "rgcn-graph-x" + copies + ".safetensors"));
            RelationalGraph graph = RelationalGraph.fromEdges(g.nodes(), g.relations(), g.src(), g.dst(), g.rel());
            RGCN layer = RGCN.builder(RgcnTrainStep.DIM, RgcnTrainStep.DIM, g.relations()).build(new Generator(0));
            layer.to(GPU);
            Tensor x = gpu.random(Generator.Distribution.NORMAL, new Generator(2), 0, 1, DType.F32, g.nodes(), RgcnTrainStep.DIM);
            Variable xv = Variable.parameter(x);
            double[] fwd = time(gpu, 5, () -> layer.forward(Variable.constant(x), graph));
            double[] both = time(gpu, 3, () -> {
                layer.zeroGrad();
                xv.zeroGrad();
                layer.forward(xv, graph).sum().backward();
            });
            String shape = String.format("\"graph\": \"%s\", \"nodes\": %d, \"relations\": %d, \"edges\": %d, \"dim\": %d, \"variant\": \"%s\"",
                    copies == 1 ? "redial" : "redial-x" + copies, g.nodes(), g.relations(), g.edges(), RgcnTrainStep.DIM, variant);
            emitTimed("aggregation", shape, "fwd", "float32", fwd, g.edges() / 1e6, "medges_per_s");
            emitTimed("aggregation", shape, "fwd+bwd", "float32", both, g.edges() / 1e6, "medges_per_s");
        }
    }

    // ------------------------------------------------------------------ decoding against the bandwidth roof

    static void decode(CudaBackend gpu, int tokens) {
        // read bandwidth of this device, measured here: a sum over 4 GiB (each byte read once)
        Tensor big = gpu.zeros(DType.F32, 1 << 30);
        double[] read = time(gpu, 3, () -> big.sum());
        double readGBs = 4.0 * (1 << 30) / read[0] / 1e9;
        emit(String.format("{\"side\": \"crs4j\", \"bench\": \"bandwidth\", \"pass\": \"read 4 GiB\", \"gbytes_per_s\": [%.1f, %.1f, %.1f]}",
                4.0 * (1 << 30) / read[2] / 1e9, 4.0 * (1 << 30) / read[1] / 1e9, readGBs));
        LlamaConfig c = new LlamaConfig(32000, 4096, 11008, 32, 32, 32, 128, 1e-5, 10000, null, RotaryEmbedding.Pairing.HALF,
                4096, false, 1, new int[] {2}, -1, false, false);
        LlamaModel model = new LlamaModel(c, null);
        Generator rng = new Generator(3);
        long weightBytes = 0, streamedBytes = 0;
        java.util.Map<String, Tensor> weights = new java.util.LinkedHashMap<>();
        for (var e : model.namedParameters().entrySet()) {
            int[] shape = e.getValue().shape();
            Tensor w = e.getKey().endsWith("norm.weight")
                    ? gpu.zeros(DType.F32, shape).add(1).to(DType.BF16)
                    : gpu.random(Generator.Distribution.NORMAL, rng, 0, 0.02, DType.BF16, shape);
            weights.put(e.getKey(), w);
            long bytes = 2L * w.numel();
            weightBytes += bytes;
            if (!e.getKey().equals("model.embed_tokens.weight")) streamedBytes += bytes; // the embedding: one row per token
        }
        model.loadStateDict(weights, true);
        double roof = readGBs * 1e9 / streamedBytes;
        int[] prompt = new int[16];
        for (int i = 0; i < prompt.length; i++) prompt[i] = 1 + i;
        List<Double> perToken = new ArrayList<>();
        for (int run = 0; run < 3; run++) {
            DecodingSession s = model.start(new int[][] {prompt}, tokens);
            float[] logits = s.logits().toFloatArray();
            int next = argmax(logits);
            gpu.synchronize();
            long t0 = System.nanoTime();
            for (int i = 1; i < tokens; i++) {
                s.append(new int[] {next});
                next = argmax(s.logits().toFloatArray()); // greedy, as generate: the logits come back every token
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            perToken.add((tokens - 1) / seconds);
        }
        perToken.sort(null);
        emit(String.format("{\"side\": \"crs4j\", \"bench\": \"decode\", \"model\": \"llama2-7b-shaped\", \"dtype\": \"bfloat16\", "
                        + "\"weight_bytes\": %d, \"streamed_bytes_per_token\": %d, \"read_gbytes_per_s\": %.1f, "
                        + "\"roof_tokens_per_s\": %.1f, \"tokens_per_s\": [%.2f, %.2f, %.2f], \"fraction_of_roof\": %.3f, \"tokens\": %d}",
                weightBytes, streamedBytes, readGBs, roof, perToken.get(0), perToken.get(1), perToken.get(2),
                perToken.get(1) / roof, tokens));
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    // ------------------------------------------------------------------ training parity

    static void trainParity(RgcnGraph g, int steps) {
        RgcnTrainStep cpu = new RgcnTrainStep(g), gpu = new RgcnTrainStep(g);
        gpu.model().to(GPU);
        double worst = 0;
        for (int s = 1; s <= steps; s++) {
            double a = cpu.step(), b = gpu.step();
            double rel = Math.abs(a - b) / Math.max(1e-12, Math.abs(a));
            worst = Math.max(worst, rel);
            if (s <= 5 || s % 10 == 0) emit(String.format("{\"bench\": \"train-parity\", \"step\": %d, \"cpu_loss\": %.7f, \"gpu_loss\": %.7f, \"relative\": %.2e}", s, a, b, rel));
        }
        emit(String.format("{\"bench\": \"train-parity\", \"steps\": %d, \"worst_relative_loss_difference\": %.2e}", steps, worst));
        if (!(worst < 1e-3)) {
            System.err.println("train-parity: the GPU's losses left the CPU's by " + worst + " (limit 1e-3)");
            System.exit(1);
        }
    }
}
