package org.crs4j.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The SIMD kernels keep their vectors in registers even when C2 inlines none of crs4j's methods: no vector may cross
 * a method call, because a loop-carried vector that reaches a call C2 declines to inline is boxed on every iteration
 * (measured: a 4-row F32 matrix-vector product whose lane sum lived in a helper allocated 75 KB per row group and ran
 * 2.6 times slower when the helper was not inlined, which C2 decided differently on different machines).
 *
 * <p>{@link BoxingProbe} runs in a fresh JVM with {@code -XX:CompileCommand=dontinline} on every crs4j method and
 * {@code -Xbatch}, so the worst inlining outcome happens every time, and reports the bytes one warmed-up call of each
 * kernel allocates.
 */
class KernelBoxingTest {
    @Test
    void kernelsAllocateNoVectorBoxesWhenNothingOfOursIsInlined() throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-Xbatch", "-XX:CompileCommand=quiet", "-XX:CompileCommand=dontinline,org.crs4j.*::*",
                "-Dcrs4j.threads=1", "-Xmx1g", "-cp", System.getProperty("java.class.path")));
        // the instruction set the tests run under (e.g. -XX:UseAVX=2) carries over to the probe
        for (String arg : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-XX:UseAVX")) cmd.add(arg);
        }
        cmd.add(BoxingProbe.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "probe timed out");
        assertEquals(0, p.exitValue(), "probe failed:\n" + output);
        int kernels = 0;
        StringBuilder failures = new StringBuilder();
        for (String line : output.split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length != 3 || !f[1].matches("\\d+")) continue;
            kernels++;
            long bytes = Long.parseLong(f[1]), limit = Long.parseLong(f[2]);
            if (bytes > limit) failures.append(f[0]).append(": ").append(bytes).append(" bytes per call, limit ").append(limit).append('\n');
        }
        assertEquals(9, kernels, "probe output:\n" + output);
        assertTrue(failures.isEmpty(), "kernels that box vectors when crs4j's helpers are not inlined:\n" + failures);
    }
}
