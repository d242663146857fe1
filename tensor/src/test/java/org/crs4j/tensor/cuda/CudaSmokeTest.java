package org.crs4j.tensor.cuda;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/** The JCuda smoke test on this machine's GPU; where CUDA is not usable it is skipped with the reason printed. */
class CudaSmokeTest {

    @Test
    void everyStepPassesOnTheGpu() {
        CudaProbe.Result probe = CudaProbe.probe();
        if (!probe.usable()) System.out.println("CudaSmokeTest skipped: CUDA not usable: " + probe.reason());
        assumeTrue(probe.usable(), () -> "CUDA not usable: " + probe.reason());
        CudaSmoke.Report report = CudaSmoke.run(7);
        System.out.println(CudaSmoke.describe(report));
        assertNull(report.skipped());
        assertTrue(report.steps().size() >= 4, "driver, context, two saxpy runs and sgemm: " + report.steps());
        assertTrue(report.passed(), CudaSmoke.describe(report));
    }

    @Test
    void withoutCudaTheReportSaysWhyAndHasNoSteps() {
        assumeTrue(!CudaProbe.available(), "CUDA is usable here");
        CudaSmoke.Report report = CudaSmoke.run(7);
        assertTrue(report.steps().isEmpty());
        assertFalse(report.passed());
        assertTrue(report.skipped().contains(CudaProbe.probe().reason()), report.skipped());
        assertTrue(CudaSmoke.describe(report).startsWith("cuda smoke   skipped: CUDA not usable: "));
    }
}
