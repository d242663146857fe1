package org.crs4j.tensor.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where nvcc exists, regenerating the PTX with {@code scripts/cuda-ptx.sh} gives the committed files byte for byte
 * (same nvcc release as recorded in their headers; another release is reported, not compared). About a minute of
 * nvcc and ptxas, hence slow; {@link CudaKernelSourcesTest} checks the sources' hashes on every machine.
 */
@Tag("slow")
class CudaPtxRegenerationTest {

    static String nvcc() {
        for (String c : new String[] {System.getenv("NVCC"), "/usr/local/cuda/bin/nvcc", "/usr/local/cuda-13.0/bin/nvcc"}) {
            if (c != null && Files.isExecutable(Path.of(c))) return c;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "nvcc"))) return Path.of(dir, "nvcc").toString();
        }
        return null;
    }

    @Test
    void regeneratingGivesTheCommittedPtx(@TempDir Path out) throws Exception {
        String nvcc = nvcc();
        if (nvcc == null) System.out.println("CudaPtxRegenerationTest skipped: no nvcc on this machine");
        Assumptions.assumeTrue(nvcc != null, "no nvcc on this machine");
        Process version = new ProcessBuilder(nvcc, "--version").redirectErrorStream(true).start();
        String text = new String(version.getInputStream().readAllBytes());
        version.waitFor();
        Matcher m = Pattern.compile("release [0-9.]+, V[0-9.]+").matcher(text);
        assertTrue(m.find(), text);
        String committed = Files.readString(CudaKernelSourcesTest.PTX.resolve("attention.ptx"));
        boolean sameRelease = committed.contains("// crs4j-nvcc: " + m.group() + ";");
        if (!sameRelease) System.out.println("CudaPtxRegenerationTest skipped: nvcc " + m.group() + " differs from the release recorded in the PTX");
        Assumptions.assumeTrue(sameRelease, "nvcc " + m.group() + " is not the release the PTX was generated with");
        Process p = new ProcessBuilder("sh", "../scripts/cuda-ptx.sh", "--out", out.toString())
                .redirectErrorStream(true).inheritIO().start();
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "cuda-ptx.sh finished");
        assertEquals(0, p.exitValue(), "cuda-ptx.sh succeeded");
        for (String module : CudaModules.NAMES) {
            assertArrayEquals(Files.readAllBytes(CudaKernelSourcesTest.PTX.resolve(module + ".ptx")),
                    Files.readAllBytes(out.resolve(module + ".ptx")), module + ".ptx regenerates byte for byte");
        }
    }
}
