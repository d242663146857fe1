package org.crs4j.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import org.crs4j.autograd.Variable;
import org.crs4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The kernel benchmarks compute what they claim: the attention and graph-aggregation workloads, forward and
 * backward, against double-precision references written from the definitions, on small random inputs; the scaled
 * graph keeps the original's structure.
 */
class KernelWorkloadsTest {
    private static final double TOL = 1e-4;

    /** |a - e| <= TOL * (|e| + rms(e)) elementwise. */
    private static void assertClose(String what, double[] expected, Tensor actual) {
        double[] a = actual.toDoubleArray();
        assertEquals(expected.length, a.length, what + ": size");
        double ss = 0;
        for (double e : expected) ss += e * e;
        double rms = Math.sqrt(ss / Math.max(1, expected.length));
        for (int i = 0; i < a.length; i++) {
            if (!(Math.abs(a[i] - expected[i]) <= TOL * (Math.abs(expected[i]) + rms))) {
                fail(what + "[" + i + "] = " + a[i] + ", reference " + expected[i]);
            }
        }
    }

    // ------------------------------------------------------------------ attention

    @Test
    void attentionForwardAndBackwardMatchTheDefinition() {
        for (String shape : new String[] {"t5-large", "llama-7b-gqa"}) {
            for (boolean causal : new boolean[] {false, true}) {
                int seq = 7;
                AttentionWorkload w = new AttentionWorkload(shape, seq, causal);
                AttentionWorkload.Heads h = w.heads();
                Variable[] in = w.inputs();
                double[] q = in[0].data().toDoubleArray(), k = in[1].data().toDoubleArray(), v = in[2].data().toDoubleArray();
                double[] go = w.gradOut().toDoubleArray();
                int d = h.headDim(), heads = h.heads(), group = heads / h.kvHeads();
                double[] out = new double[heads * seq * d], dq = new double[q.length], dk = new double[k.length], dv = new double[v.length];
                for (int hq = 0; hq < heads; hq++) {
                    int hk = hq / group; // query head hq reads key/value head hq / group (HF's repeat_kv)
                    for (int i = 0; i < seq; i++) {
                        double[] p = new double[seq];
                        double max = Double.NEGATIVE_INFINITY, sum = 0;
                        for (int j = 0; j < seq; j++) {
                            double s = 0;
                            for (int c = 0; c < d; c++) s += q[(hq * seq + i) * d + c] * k[(hk * seq + j) * d + c];
                            p[j] = causal && j > i ? Double.NEGATIVE_INFINITY : s * w.scale();
                            max = Math.max(max, p[j]);
                        }
                        for (int j = 0; j < seq; j++) sum += p[j] = Math.exp(p[j] - max);
                        double[] dp = new double[seq];
                        double dot = 0;
                        for (int j = 0; j < seq; j++) {
                            p[j] /= sum;
                            for (int c = 0; c < d; c++) {
                                out[(hq * seq + i) * d + c] += p[j] * v[(hk * seq + j) * d + c];
                                dp[j] += go[(hq * seq + i) * d + c] * v[(hk * seq + j) * d + c];
                                dv[(hk * seq + j) * d + c] += p[j] * go[(hq * seq + i) * d + c];
                            }
                            dot += dp[j] * p[j];
                        }
                        for (int j = 0; j < seq; j++) {
                            double ds = p[j] * (dp[j] - dot) * w.scale();
                            for (int c = 0; c < d; c++) {
                                dq[(hq * seq + i) * d + c] += ds * k[(hk * seq + j) * d + c];
                                dk[(hk * seq + j) * d + c] += ds * q[(hq * seq + i) * d + c];
                            }
                        }
                    }
                }
                String what = shape + (causal ? " causal" : "");
                assertClose(what + " output", out, w.forward());
                assertClose(what + " dq", dq, w.forwardBackward());
                assertClose(what + " dk", dk, in[1].grad());
                assertClose(what + " dv", dv, in[2].grad());
                assertClose(what + " dq again (gradients cleared between calls)", dq, w.forwardBackward());
            }
        }
    }

    @Test
    void attentionFlopsAreTheModelsAndShapesAreNamed() {
        AttentionWorkload full = new AttentionWorkload("llama-7b", 16, false), causal = new AttentionWorkload("llama-7b", 16, true);
        assertEquals(4.0 * 32 * 16 * 16 * 128, full.forwardFlops());
        assertEquals(4.0 * 32 * (16 * 17 / 2) * 128, causal.forwardFlops());
        assertEquals(3 * full.forwardFlops(), full.forwardBackwardFlops());
        assertEquals(new AttentionWorkload.Heads("llama-7b-gqa", 32, 8, 128), AttentionWorkload.Heads.named("llama-7b-gqa"));
        assertThrows(IllegalArgumentException.class, () -> AttentionWorkload.Heads.named("gpt-2"));
        assertThrows(IllegalArgumentException.class, () -> new AttentionWorkload("t5-large", 0, false));
    }

    // ------------------------------------------------------------------ graph aggregation

    private static RgcnGraph randomGraph(SplittableRandom r, int nodes, int relations, int edges) {
        int[] src = new int[edges], dst = new int[edges], rel = new int[edges];
        for (int i = 0; i < edges; i++) {
            src[i] = r.nextInt(nodes);
            dst[i] = r.nextInt(5) == 0 ? 0 : r.nextInt(nodes); // a hub, and repeated edges
            rel[i] = r.nextInt(relations);
        }
        return new RgcnGraph(nodes, relations, src, dst, rel, "test graph");
    }

    @Test
    void aggregationForwardAndBackwardMatchThePerEdgeDefinition() {
        RgcnGraph g = randomGraph(new SplittableRandom(3), 40, 3, 300);
        AggregationWorkload w = new AggregationWorkload(g);
        int dim = AggregationWorkload.DIM;
        double[] x = w.x().toDoubleArray(), wr = w.w().toDoubleArray(), go = w.gradOut().toDoubleArray();
        double[] out = new double[g.nodes() * dim], dx = new double[x.length], dw = new double[wr.length];
        for (int e = 0; e < g.edges(); e++) { // out[dst] += x[src] W_rel, and the gradients of that sum
            int s = g.src()[e], t = g.dst()[e], r = g.rel()[e];
            for (int i = 0; i < dim; i++) {
                for (int o = 0; o < dim; o++) {
                    double wio = wr[(r * dim + i) * dim + o];
                    out[t * dim + o] += x[s * dim + i] * wio;
                    dx[s * dim + i] += go[t * dim + o] * wio;
                    dw[(r * dim + i) * dim + o] += x[s * dim + i] * go[t * dim + o];
                }
            }
        }
        assertClose("output", out, w.forward());
        assertClose("dx", dx, w.forwardBackward());
        assertClose("dW", dw, w.gradW());
        assertClose("dx again (gradients cleared between calls)", dx, w.forwardBackward());
    }

    @Test
    void aScaledGraphKeepsEveryNodesInDegreePerRelation() {
        RgcnGraph g = randomGraph(new SplittableRandom(5), 50, 4, 400), big = g.scaled(10, 2018);
        assertEquals(500, big.nodes());
        assertEquals(4000, big.edges());
        assertEquals(4, big.relations());
        int[][] degree = new int[g.nodes()][g.relations()], bigDegree = new int[big.nodes()][big.relations()];
        for (int e = 0; e < g.edges(); e++) degree[g.dst()[e]][g.rel()[e]]++;
        for (int e = 0; e < big.edges(); e++) bigDegree[big.dst()[e]][big.rel()[e]]++;
        int[] copiesUsed = new int[10];
        for (int n = 0; n < big.nodes(); n++) assertArrayEquals(degree[n % g.nodes()], bigDegree[n], "node " + n);
        for (int e = 0; e < big.edges(); e++) {
            assertEquals(g.src()[e % g.edges()], big.src()[e] % g.nodes(), "edge " + e + "'s source is a copy of the original's");
            copiesUsed[big.src()[e] / g.nodes()]++;
        }
        for (int c = 0; c < 10; c++) {
            if (copiesUsed[c] < 300) fail("sources are not spread over the copies: " + java.util.Arrays.toString(copiesUsed));
        }
        assertArrayEquals(big.src(), g.scaled(10, 2018).src(), "deterministic");
        assertThrows(IllegalArgumentException.class, () -> g.scaled(0, 1));
    }
}
