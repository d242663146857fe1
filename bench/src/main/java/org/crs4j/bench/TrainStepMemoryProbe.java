package org.crs4j.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import org.crs4j.autograd.Variable;

/**
 * Memory of one training step of the benchmark workloads ({@link RgcnTrainStep}, {@link TransformerBlockTrainStep}),
 * measured three ways:
 * <ul>
 *   <li>the live heap after a full GC at the phase boundaries of a step: before it (parameters, optimizer state,
 *       inputs), after the forward pass (plus what the graph keeps for backward) and after backward (plus the
 *       gradients);</li>
 *   <li>the largest heap occupancy right after a full collection during the timed steps (from the JVM's GC
 *       notifications): live data at that moment, a lower bound on the peak inside the step, tight when the heap
 *       is small enough that full collections happen within every step (the scripts' smallest heap);</li>
 *   <li>the allocation volume per step (all threads), from the JVM's per-thread allocation counters.</li>
 * </ul>
 * The peak itself is bounded from above by the scripts ({@code scripts/bench-rgcn.sh},
 * {@code scripts/bench-transformer-block.sh}), which rerun this program with ever smaller {@code -Xmx} and report the
 * smallest heap in which the steps still run (exit 0; an OutOfMemoryError exits 3).
 *
 * <p>Usage: {@code TrainStepMemoryProbe rgcn GRAPH.safetensors [STEPS]},
 * {@code TrainStepMemoryProbe transformer [STEPS [BATCH SEQ DIM HEADS KV_HEADS HIDDEN]]} or
 * {@code TrainStepMemoryProbe rlpf [STEPS]} ({@link RlpfStep}: the whole step only, it has no phase boundaries).
 */
public final class TrainStepMemoryProbe {
    /** What the probe needs of a workload. */
    private record Workload(String description, Runnable step, Supplier<Variable> forward, Runnable update) {}

    public static void main(String[] args) throws Exception {
        try {
            Workload w;
            int steps;
            if (args[0].equals("rgcn")) {
                RgcnGraph g = RgcnGraph.read(Path.of(args[1]));
                steps = args.length > 2 ? Integer.parseInt(args[2]) : 5;
                RgcnTrainStep s = new RgcnTrainStep(g);
                w = new Workload(String.format("RGCN step: %d nodes, %d relations, %d edges, %d segments; %,d parameters",
                        g.nodes(), g.relations(), g.edges(), s.graph().numSegments(), s.parameterCount()), s::step,
                        s::forward, () -> { s.optimizer().step(); s.optimizer().zeroGrad(); });
            } else if (args[0].equals("transformer")) {
                steps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
                TransformerBlockTrainStep.Size size = TransformerBlockTrainStep.DEFAULT;
                if (args.length > 2) {
                    int[] v = new int[6];
                    for (int i = 0; i < 6; i++) v[i] = Integer.parseInt(args[2 + i]);
                    size = new TransformerBlockTrainStep.Size(v[0], v[1], v[2], v[3], v[4], v[5]);
                }
                TransformerBlockTrainStep s = new TransformerBlockTrainStep(size);
                w = new Workload(String.format("transformer block step: %s; %,d parameters", size, s.parameterCount()),
                        s::step, s::forward, () -> { s.optimizer().step(); s.optimizer().zeroGrad(); });
            } else if (args[0].equals("rlpf")) {
                steps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
                RlpfStep s = new RlpfStep();
                // one RLPF step is sampling, scoring, backward and AdamW together: no phase boundaries to stop at
                w = new Workload(String.format("RLPF step of the small controller: %d episodes x %d sampled tokens; %,d parameters",
                        RlpfStep.BATCH, RlpfStep.NEW_TOKENS, s.parameterCount()), s::step, null, null);
            } else {
                throw new IllegalArgumentException("usage: TrainStepMemoryProbe rgcn GRAPH [STEPS] | transformer [STEPS [SIZE...]] | rlpf [STEPS]");
            }
            measure(w, steps);
        } catch (OutOfMemoryError e) {
            System.out.println("OutOfMemoryError");
            System.exit(3);
        }
    }

    private static void measure(Workload w, int steps) {
        w.step().run(); // compile and allocate optimizer state
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = live(mem), afterForward = -1, afterBackward = -1;
        if (w.forward() != null) {
            Variable loss = w.forward().get();
            afterForward = live(mem);
            loss.backward();
            afterBackward = live(mem);
            w.update().run();
        }
        AtomicLong peakAfterGc = new AtomicLong();
        AtomicInteger notified = new AtomicInteger(), fullGcs = new AtomicInteger();
        java.util.Set<String> heapPools = new java.util.HashSet<>();
        for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == java.lang.management.MemoryType.HEAP) heapPools.add(pool.getName());
        }
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) gc).addNotificationListener((n, handback) -> {
                if (!n.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) return;
                var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
                notified.incrementAndGet();
                if (!info.getGcAction().contains("major")) return; // after a minor GC the old generation holds garbage
                fullGcs.incrementAndGet();
                long used = info.getGcInfo().getMemoryUsageAfterGc().entrySet().stream()
                        .filter(e -> heapPools.contains(e.getKey())).mapToLong(e -> e.getValue().getUsed()).sum();
                peakAfterGc.accumulateAndGet(used, Math::max);
            }, null, null);
        }
        long collections = collections();
        long allocated = threads.getTotalThreadAllocatedBytes();
        long t0 = System.nanoTime();
        for (int i = 1; i < steps; i++) w.step().run();
        long ms = (System.nanoTime() - t0) / 1_000_000 / Math.max(1, steps - 1);
        allocated = (threads.getTotalThreadAllocatedBytes() - allocated) / Math.max(1, steps - 1);
        // GC notifications arrive on another thread, after the collection: wait (briefly) for all of the steps' ones
        long expected = collections() - collections;
        for (long deadline = System.nanoTime() + 2_000_000_000L; notified.get() < expected && System.nanoTime() < deadline; ) {
            Thread.onSpinWait();
        }
        System.out.println(w.description());
        System.out.printf("live heap before a step (parameters, AdamW state, inputs): %.1f MiB%n", before / 1048576.0);
        if (afterForward >= 0) {
            System.out.printf("live heap after forward (+ saved activations):           %.1f MiB%n", afterForward / 1048576.0);
            System.out.printf("live heap after backward (+ gradients):                  %.1f MiB%n", afterBackward / 1048576.0);
        }
        if (fullGcs.get() == 0) {
            System.out.printf("largest live heap after a full GC during %d steps:       not measured (no full GC: the heap"
                    + " is large enough; run with a small -Xmx)%n", steps - 1);
        } else {
            System.out.printf("largest live heap after a full GC during %d steps:       %.1f MiB (%d full GCs)%n", steps - 1,
                    peakAfterGc.get() / 1048576.0, fullGcs.get());
        }
        System.out.printf("allocated per step (all threads):                         %.1f MiB (a step took %d ms)%n",
                allocated / 1048576.0, ms);
    }

    private static long collections() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) n += Math.max(0, gc.getCollectionCount());
        return n;
    }

    private static long live(MemoryMXBean mem) {
        for (int i = 0; i < 3; i++) System.gc();
        return mem.getHeapMemoryUsage().getUsed();
    }
}
