package org.crs4j.bench;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark's workload is a real training step (its loss falls), and its graph file round-trips. */
class RgcnTrainStepTest {
    @TempDir
    Path dir;

    private static RgcnGraph small() {
        SplittableRandom r = new SplittableRandom(4);
        int nodes = 100, edges = 600;
        int[] src = new int[edges], dst = new int[edges], rel = new int[edges];
        for (int i = 0; i < edges; i++) {
            src[i] = r.nextInt(nodes);
            dst[i] = r.nextInt(nodes);
            rel[i] = r.nextInt(3);
        }
        return new RgcnGraph(nodes, 3, src, dst, rel, "test graph");
    }

    @Test
    void theLossFallsOverTrainingSteps() {
        RgcnTrainStep step = new RgcnTrainStep(small());
        double first = step.step(), last = first;
        for (int i = 0; i < 12; i++) last = step.step();
        assertTrue(last < 0.8 * first, "loss " + first + " -> " + last);
        assertEquals(100 * 128 + 3 * 128 * 128 + 128 * 128 + 128, step.parameterCount());
    }

    @Test
    void graphFilesRoundTripAndTheSyntheticGraphHasTheRealCounts() throws Exception {
        RgcnGraph g = small();
        Path f = dir.resolve("g.safetensors");
        g.write(f);
        RgcnGraph back = RgcnGraph.read(f);
        assertArrayEquals(g.src(), back.src());
        assertArrayEquals(g.rel(), back.rel());
        assertEquals("test graph", back.description());
        RgcnGraph synthetic = RgcnGraph.synthetic();
        assertEquals(31_161, synthetic.nodes());
        assertEquals(24, synthetic.relations());
        assertEquals(162_642, synthetic.edges());
        // without a data directory the benchmark falls back to the synthetic graph
        assertEquals(synthetic.edges(), RgcnGraph.redialOrSynthetic(dir.resolve("no-such-dir")).edges());
    }
}
