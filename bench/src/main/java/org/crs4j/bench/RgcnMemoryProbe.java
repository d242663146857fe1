package org.crs4j.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import org.crs4j.autograd.Variable;

/**
 * Memory of one RGCN training step (the workload of {@link RgcnTrainStepBenchmark}), measured two ways:
 * <ul>
 *   <li>the live heap after a full GC at the phase boundaries of a step: before it (parameters, optimizer state,
 *       graph), after the forward pass (plus the activations the graph keeps for backward) and after backward (plus
 *       the gradients);</li>
 *   <li>the allocation volume per step (all threads), from the JVM's per-thread allocation counters.</li>
 * </ul>
 * The peak of live memory <em>inside</em> backward is bounded by {@code scripts/bench-rgcn.sh}, which reruns this
 * program with ever smaller {@code -Xmx} and reports the smallest heap in which the steps still run (exit 0; an
 * OutOfMemoryError exits 3).
 *
 * <p>Usage: {@code RgcnMemoryProbe GRAPH.safetensors [STEPS]}.
 */
public final class RgcnMemoryProbe {
    public static void main(String[] args) throws Exception {
        RgcnGraph g = RgcnGraph.read(Path.of(args[0]));
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        try {
            RgcnTrainStep step = new RgcnTrainStep(g);
            for (int i = 0; i < steps; i++) step.step();
            MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
            var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = live(mem);
            Variable loss = step.forward();
            long afterForward = live(mem);
            loss.backward();
            long afterBackward = live(mem);
            step.optimizer().step();
            step.optimizer().zeroGrad();
            long allocated = threads.getTotalThreadAllocatedBytes();
            long t0 = System.nanoTime();
            step.step();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            allocated = threads.getTotalThreadAllocatedBytes() - allocated;
            System.out.printf("graph: %d nodes, %d relations, %d edges, %d segments; %,d parameters%n", g.nodes(),
                    g.relations(), g.edges(), step.graph().numSegments(), step.parameterCount());
            System.out.printf("live heap before a step (parameters, AdamW state, graph): %.1f MiB%n", before / 1048576.0);
            System.out.printf("live heap after forward (+ saved activations):          %.1f MiB%n", afterForward / 1048576.0);
            System.out.printf("live heap after backward (+ gradients):                 %.1f MiB%n", afterBackward / 1048576.0);
            System.out.printf("allocated during one step (all threads):                %.1f MiB (step took %d ms)%n",
                    allocated / 1048576.0, ms);
        } catch (OutOfMemoryError e) {
            System.out.println("OutOfMemoryError");
            System.exit(3);
        }
    }

    private static long live(MemoryMXBean mem) {
        for (int i = 0; i < 3; i++) System.gc();
        return mem.getHeapMemoryUsage().getUsed();
    }
}
