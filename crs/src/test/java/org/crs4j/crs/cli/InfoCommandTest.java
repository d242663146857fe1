package org.crs4j.crs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.crs4j.tensor.cuda.CudaProbe;
import org.junit.jupiter.api.Test;

/** `crs4j info` through Main.run: every line it promises, and the CUDA smoke test's report or the reason it skipped. */
class InfoCommandTest {

    private static String run(int expectedCode, String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            assertEquals(expectedCode, Main.run(args));
        } finally {
            System.setOut(old);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void reportsVersionsVectorsThreadsAndCuda() {
        String out = run(0, "info");
        for (String key : new String[] {"crs4j ", "java ", "vector api ", "cpu threads ", "max heap ", "cuda "}) {
            assertTrue(out.lines().anyMatch(l -> l.startsWith(key)), "no '" + key.trim() + "' line in:\n" + out);
        }
        CudaProbe.Result cuda = CudaProbe.probe();
        assertTrue(out.contains(cuda.usable() ? "cuda         usable" : "cuda         not usable: " + cuda.reason()), out);
    }

    @Test
    void cudaSmokeReportsOrSaysWhyItSkipped() {
        CudaProbe.Result cuda = CudaProbe.probe();
        String out = run(0, "info", "--cuda-smoke");
        if (cuda.usable()) assertTrue(out.contains("cuda smoke   passed"), out);
        else assertTrue(out.contains("cuda smoke   skipped: CUDA not usable: " + cuda.reason()), out);
    }
}
