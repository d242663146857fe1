package org.crs4j.crs.cli;

import static org.crs4j.crs.cli.CliRun.run;

import org.crs4j.crs.cli.CliRun.Run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.crs4j.tensor.cuda.CudaProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --device} on train controller, train rlpf and serve (train rec, eval rec and diagnose causal: RecCliTest):
 * checked before anything is read — the other arguments here name files that do not exist, and it is the device that
 * is reported — as one line naming the option, with nothing written.
 */
class DeviceCliTest {
    @TempDir Path dir;


    private static void assertOneLine(Run r, String expected) {
        assertEquals(1, r.code(), r.err());
        assertEquals(List.of(expected), r.errLines(), r.err());
        assertEquals("", r.out());
    }

    @Test
    void anUnknownOrAbsentDeviceIsOneLineBeforeAnythingIsRead() {
        Path out = dir.resolve("out"), missing = dir.resolve("missing.jsonl");
        String[][] commands = {
                {"train", "controller", "--pairs", missing.toString(), "--out", out.toString()},
                {"train", "rlpf", "--controller", dir.resolve("no-model").toString(), "--env", "exact", "--pairs", missing.toString(),
                        "--out", out.toString()},
                {"serve", "--model", dir.resolve("no-model").toString(), "--port", "0"},
        };
        String[] names = {"crs4j train controller", "crs4j train rlpf", "crs4j serve"};
        for (int i = 0; i < commands.length; i++) {
            assertOneLine(run(with(commands[i], "--device", "gpu")), names[i] + ": --device: unknown device 'gpu': expected cpu, cuda or cuda:N");
            if (!CudaProbe.available()) {
                assertOneLine(run(with(commands[i], "--device", "cuda")),
                        names[i] + ": --device cuda: cuda:0 is not usable: " + CudaProbe.probe().reason());
            }
        }
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void serveRefusesQ8WeightsOnAGpu() {
        try (org.crs4j.tensor.cuda.GpuLessCuda cuda = new org.crs4j.tensor.cuda.GpuLessCuda(52)) {
            Run r = run("serve", "--model", dir.resolve("no-model").toString(), "--quantize", "q8", "--device", "cuda:52");
            assertEquals(1, r.code(), r.err());
            assertTrue(r.errLines().size() == 1 && r.errLines().getFirst().startsWith(
                    "crs4j serve: --quantize q8: Q8_0 weights are a CPU format; on cuda:52 use --quantize none"), r.err());
        }
    }

    private static String[] with(String[] args, String... more) {
        String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }
}
