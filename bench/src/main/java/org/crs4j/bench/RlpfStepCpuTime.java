package org.crs4j.bench;

/**
 * CPU time of an RLPF step ({@link RlpfStep}): the whole process's CPU seconds (compute, GC and JIT threads) per step,
 * next to its wall-clock time, after warm-up steps. CPU time moves much less than wall-clock time when other jobs load
 * the machine; {@code scripts/bench_rlpf_step.py} reports the same figure with Python's {@code time.process_time}.
 *
 * <pre>java -cp benchmarks.jar org.crs4j.bench.RlpfStepCpuTime [WARMUP [STEPS]]</pre>
 */
public final class RlpfStepCpuTime {
    private RlpfStepCpuTime() {}

    public static void main(String[] args) {
        int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 10, steps = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        RlpfStep s = new RlpfStep();
        for (int i = 0; i < warmup; i++) s.step();
        long cpu = ProcessCpu.nanos(), wall = System.nanoTime();
        for (int i = 0; i < steps; i++) s.step();
        double cpuMs = (ProcessCpu.nanos() - cpu) / 1e6 / steps, wallMs = (System.nanoTime() - wall) / 1e6 / steps;
        System.out.printf("crs4j_cpu_ms %.1f%ncrs4j_wall_ms %.1f%n", cpuMs, wallMs);
    }
}
