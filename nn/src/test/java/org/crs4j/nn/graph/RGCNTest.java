package org.crs4j.nn.graph;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.crs4j.autograd.GradCheck;
import org.crs4j.autograd.Variable;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The RGCN layer against a naive dense double reference (Eq. 2 written out with per-relation adjacency matrices)
 * on random small multigraphs, its gradients against finite differences, and its input checks.
 */
class RGCNTest {

    record Edges(int[] src, int[] dst, int[] rel) {}

    private static Edges randomEdges(SplittableRandom r, int nodes, int relations, int edges) {
        int[] s = new int[edges], d = new int[edges], t = new int[edges];
        for (int i = 0; i < edges; i++) {
            s[i] = r.nextInt(nodes);
            d[i] = r.nextInt(nodes);
            t[i] = r.nextInt(relations);
        }
        return new Edges(s, d, t);
    }

    /** out[v] = x[v] W0 + sum_r sum_{u in N_r(v)} x[u] W_r / Z + b, with dense [R, N, N] edge counts. */
    private static double[][] dense(double[][] x, double[][][] w, double[][] root, double[] bias, Edges e, int relations,
                                    boolean inDegree) {
        int n = x.length, in = x[0].length, out = w[0][0].length;
        double[][][] adj = new double[relations][n][n]; // adj[r][v][u] = number of edges u -> v under r
        for (int i = 0; i < e.src.length; i++) adj[e.rel[i]][e.dst[i]][e.src[i]]++;
        double[][] y = new double[n][out];
        for (int v = 0; v < n; v++) {
            for (int o = 0; o < out; o++) {
                double s = bias == null ? 0 : bias[o];
                if (root != null) for (int k = 0; k < in; k++) s += x[v][k] * root[k][o];
                for (int r = 0; r < relations; r++) {
                    double deg = 0;
                    for (int u = 0; u < n; u++) deg += adj[r][v][u];
                    if (deg == 0) continue;
                    double z = inDegree ? deg : 1;
                    for (int u = 0; u < n; u++) {
                        if (adj[r][v][u] == 0) continue;
                        double m = 0;
                        for (int k = 0; k < in; k++) m += x[u][k] * w[r][k][o];
                        s += adj[r][v][u] * m / z;
                    }
                }
                y[v][o] = s;
            }
        }
        return y;
    }

    private static double[][] rows(Tensor t) {
        double[][] a = new double[t.size(0)][t.size(1)];
        for (int i = 0; i < a.length; i++) for (int j = 0; j < a[0].length; j++) a[i][j] = t.get(i, j);
        return a;
    }

    @Test
    void matchesTheDenseReferenceOnRandomGraphs() {
        SplittableRandom r = new SplittableRandom(3);
        for (int trial = 0; trial < 12; trial++) {
            int nodes = 1 + r.nextInt(12), relations = 1 + r.nextInt(5), edges = r.nextInt(40), in = 1 + r.nextInt(6), out = 1 + r.nextInt(6);
            int bases = r.nextBoolean() ? 0 : 1 + r.nextInt(3);
            boolean selfLoop = r.nextBoolean(), bias = r.nextBoolean();
            RGCN.Normalization norm = r.nextBoolean() ? RGCN.Normalization.NONE : RGCN.Normalization.IN_DEGREE;
            Edges e = randomEdges(r, nodes, relations, edges);
            RelationalGraph g = RelationalGraph.fromEdges(nodes, relations, e.src, e.dst, e.rel);
            RGCN layer = RGCN.builder(in, out, relations).bases(bases).selfLoop(selfLoop).bias(bias).normalization(norm)
                    .build(new Generator(trial));
            if (bias) layer.namedParameters().get("bias").set(Tensor.randn(new Generator(99), out));
            Tensor x = Tensor.randn(new Generator(100 + trial), nodes, in);
            Tensor y = layer.forward(Variable.constant(x), g).data();

            Tensor w = layer.relationWeights().data();
            double[][][] wr = new double[relations][in][out];
            for (int q = 0; q < relations; q++) for (int k = 0; k < in; k++) for (int o = 0; o < out; o++) wr[q][k][o] = w.get(q, k, o);
            if (bases > 0) { // the composition itself, independently
                Tensor v = layer.namedParameters().get("weight").data(), a = layer.namedParameters().get("comp").data();
                for (int q = 0; q < relations; q++) for (int k = 0; k < in; k++) for (int o = 0; o < out; o++) {
                    double s = 0;
                    for (int b = 0; b < bases; b++) s += a.get(q, b) * v.get(b, k, o);
                    wr[q][k][o] = s;
                }
            }
            double[][] root = selfLoop ? rows(layer.namedParameters().get("root").data()) : null;
            double[] b = bias ? layer.namedParameters().get("bias").data().toDoubleArray() : null;
            double[][] ref = dense(rows(x), wr, root, b, e, relations, norm == RGCN.Normalization.IN_DEGREE);
            String what = "trial " + trial + ": " + g + ", bases " + bases + ", " + norm;
            assertArrayEquals(new int[] {nodes, out}, y.shape(), what);
            for (int v = 0; v < nodes; v++) for (int o = 0; o < out; o++) {
                assertEquals(ref[v][o], y.get(v, o), 1e-5 * (1 + Math.abs(ref[v][o])), what + " at [" + v + ", " + o + "]");
            }
        }
    }

    @Test
    void gradientsPassTheFiniteDifferenceCheck() {
        SplittableRandom r = new SplittableRandom(9);
        Edges e = randomEdges(r, 6, 3, 16);
        RelationalGraph g = RelationalGraph.fromEdges(6, 3, e.src, e.dst, e.rel);
        for (int bases : new int[] {0, 2}) {
            for (RGCN.Normalization norm : RGCN.Normalization.values()) {
                RGCN layer = RGCN.builder(3, 4, 3).bases(bases).normalization(norm).build(new Generator(4));
                for (var p : layer.parameters()) p.set(p.data().to(DType.F64).add(Tensor.randn(new Generator(7), 0, 0.1, DType.F64, p.shape())));
                String what = "rgcn bases=" + bases + " " + norm;
                // w.r.t. the node features, through RGCN.forward itself
                GradCheck.check(what, v -> layer.forward(v.get(0), g).tanh(), Tensor.randn(new Generator(5), 0, 1, DType.F64, 6, 3));
                // w.r.t. every parameter: backprop against central differences of L = sum(tanh(forward) * R)
                Variable x = Variable.constant(Tensor.randn(new Generator(6), 0, 1, DType.F64, 6, 3));
                Tensor weights = Tensor.randn(new Generator(8), 0, 1, DType.F64, 6, 4);
                java.util.function.DoubleSupplier loss = () -> layer.forward(x, g).tanh().data().mul(weights).sum().item();
                layer.zeroGrad();
                layer.forward(x, g).tanh().mul(Variable.constant(weights)).sum().backward();
                for (var entry : layer.namedParameters().entrySet()) {
                    Tensor data = entry.getValue().data(), grad = entry.getValue().grad();
                    assertNotNull(grad, what + " " + entry.getKey());
                    Tensor flat = data.view(-1);
                    double[] analytic = grad.toDoubleArray();
                    for (int k = 0; k < flat.numel(); k++) {
                        double saved = flat.get(k), h = 1e-6;
                        flat.narrow(0, k, 1).fill(saved + h);
                        double plus = loss.getAsDouble();
                        flat.narrow(0, k, 1).fill(saved - h);
                        double minus = loss.getAsDouble();
                        flat.narrow(0, k, 1).fill(saved);
                        double numeric = (plus - minus) / (2 * h);
                        assertEquals(numeric, analytic[k], 1e-6 + 1e-5 * Math.abs(numeric), what + " d/d " + entry.getKey() + "[" + k + "]");
                    }
                }
            }
        }
    }

    @Test
    void csrAndEdgeListGiveTheSameGraph() {
        // relation 0: 0 -> 1, 0 -> 2, 2 -> 1; relation 1: 1 -> 0, 1 -> 0 (a duplicate), 2 -> 2
        int[][] offsets = {{0, 2, 2, 3}, {0, 0, 2, 3}};
        int[][] targets = {{1, 2, 1}, {0, 0, 2}};
        RelationalGraph csr = RelationalGraph.fromCsr(3, offsets, targets);
        RelationalGraph list = RelationalGraph.fromEdges(3, 2, new int[] {1, 0, 2, 0, 1, 2}, new int[] {0, 1, 1, 2, 0, 2},
                new int[] {1, 0, 0, 0, 1, 1});
        RelationalGraph perRelation = RelationalGraph.fromRelationEdges(3, new int[][] {{0, 0, 2}, {1, 1, 2}}, new int[][] {{1, 2, 1}, {0, 0, 2}});
        assertThrows(IllegalArgumentException.class, () -> RelationalGraph.fromRelationEdges(3, new int[][] {{0}}, new int[][] {{1, 2}}));
        for (RelationalGraph g : new RelationalGraph[] {csr, list, perRelation}) {
            assertEquals(6, g.numEdges());
            assertEquals(4, g.numSegments(), "(r0,1) (r0,2) (r1,0) (r1,2)");
            assertArrayEquals(new int[] {0, 2, 4}, g.relationOffsets());
            assertArrayEquals(new int[] {1, 2, 0, 2}, g.segmentDestinations().toIntArray());
            // segment rows of the aggregation matrix: their source nodes, in edge order
            assertArrayEquals(new int[] {0, 2, 3, 5, 6}, g.aggregation().rowPtr());
            assertArrayEquals(new int[] {0, 2, 0, 1, 1, 2}, g.aggregation().colIdx());
            assertArrayEquals(new float[] {0.5f, 0.5f, 1, 0.5f, 0.5f, 1}, g.meanAggregation().values());
        }
        RGCN layer = RGCN.builder(2, 2, 2).build(new Generator(0));
        Variable x = Variable.constant(Tensor.randn(new Generator(1), 3, 2));
        assertArrayEquals(layer.forward(x, csr).data().toFloatArray(), layer.forward(x, list).data().toFloatArray());
        RelationalGraph tensors = RelationalGraph.fromEdges(3, 2, Tensor.of(new long[] {1, 0, 2, 0, 1, 2}, 6),
                Tensor.of(new long[] {0, 1, 1, 2, 0, 2}, 6), Tensor.of(new int[] {1, 0, 0, 0, 1, 1}, 6));
        assertArrayEquals(list.aggregation().colIdx(), tensors.aggregation().colIdx());
    }

    @Test
    void isolatedNodesKeepTheirSelfLoopAndEmptyGraphsWork() {
        RGCN layer = RGCN.builder(2, 3, 4).build(new Generator(2));
        Tensor x = Tensor.randn(new Generator(3), 5, 2);
        RelationalGraph empty = RelationalGraph.fromEdges(5, 4, new int[0], new int[0], new int[0]);
        Tensor y = layer.forward(Variable.constant(x), empty).data();
        Tensor expected = x.matmul(layer.namedParameters().get("root").data()).add(layer.namedParameters().get("bias").data());
        assertArrayEquals(expected.toFloatArray(), y.toFloatArray(), 1e-6f);
    }

    @Test
    void badInputIsNamed() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> RelationalGraph.fromEdges(3, 2, new int[] {0, 3}, new int[] {1, 1}, new int[] {0, 0}));
        assertTrue(e.getMessage().contains("edge 1") && e.getMessage().contains("source 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> RelationalGraph.fromEdges(3, 2, new int[] {0}, new int[] {1}, new int[] {2}));
        assertTrue(e.getMessage().contains("relation 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RelationalGraph.fromEdges(3, 2, new int[] {0}, new int[] {1, 2}, new int[] {0}));
        e = assertThrows(IllegalArgumentException.class, () -> RelationalGraph.fromCsr(3, new int[][] {{0, 1, 1}}, new int[][] {{1}}));
        assertTrue(e.getMessage().contains("relation 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RelationalGraph.fromCsr(2, new int[][] {{0, 1, 1}}, new int[][] {{5}}));
        assertTrue(e.getMessage().contains("target 5"), e.getMessage());
        RelationalGraph g = RelationalGraph.fromEdges(3, 2, new int[] {0}, new int[] {1}, new int[] {0});
        RGCN layer = RGCN.builder(4, 2, 2).build(new Generator(0));
        e = assertThrows(IllegalArgumentException.class, () -> layer.forward(Variable.constant(Tensor.zeros(3, 5)), g));
        assertTrue(e.getMessage().contains("[3, 5]") && e.getMessage().contains("[3, 4]"), e.getMessage());
        RGCN other = RGCN.builder(4, 2, 3).build(new Generator(0));
        assertThrows(IllegalArgumentException.class, () -> other.forward(Variable.constant(Tensor.zeros(3, 4)), g));
    }

    @Test
    void parameterNamesAndShapesArePyGs() {
        RGCN full = RGCN.builder(8, 4, 5).build(new Generator(0));
        assertEquals(java.util.List.of("weight", "root", "bias"), java.util.List.copyOf(full.namedParameters().keySet()));
        assertArrayEquals(new int[] {5, 8, 4}, full.namedParameters().get("weight").shape());
        RGCN basis = RGCN.builder(8, 4, 5).bases(2).selfLoop(false).bias(false).build(new Generator(0));
        assertEquals(java.util.List.of("weight", "comp"), java.util.List.copyOf(basis.namedParameters().keySet()));
        assertArrayEquals(new int[] {2, 8, 4}, basis.namedParameters().get("weight").shape());
        assertArrayEquals(new int[] {5, 2}, basis.namedParameters().get("comp").shape());
        assertEquals(2 * 32 + 10, basis.parameterCount());
    }
}
