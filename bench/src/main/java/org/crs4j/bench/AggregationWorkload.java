package org.crs4j.bench;

import org.crs4j.autograd.GradMode;
import org.crs4j.autograd.Variable;
import org.crs4j.nn.graph.RelationalGraph;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;

/**
 * The graph-aggregation kernel of an R-GCN layer by itself (the workload of {@link GraphAggregationBenchmark} and,
 * line for line, of {@code scripts/bench_aggregation.py}): for node features x [N, 128] and one weight W_r [128, 128]
 * per relation,
 * <pre>
 *   out[e] = sum_r sum_{e' in N_r(e)} x[e'] W_r        (Z = 1, paper 003's setting)
 * </pre>
 * computed as the layer computes it (see {@code RGCN}): gather and sum per (relation, destination) segment
 * ({@link Variable#spmm} with the graph's CSR aggregation matrix), one matmul per relation over its segments
 * ({@link Variable#segmentMatmul}), scatter-add into the destinations ({@link Variable#indexAdd}). Backward, driven
 * by a fixed output gradient, gives dx and dW through the same three kernels' gradients. The self-loop weight, bias,
 * embedding and loss of the training-step benchmark are left out: this is the message passing alone.
 */
public final class AggregationWorkload {
    public static final int DIM = 128;

    private final RelationalGraph graph;
    private final Variable x, w;
    private final Tensor gradOut, zeros;

    public AggregationWorkload(RgcnGraph g) {
        graph = RelationalGraph.fromEdges(g.nodes(), g.relations(), g.src(), g.dst(), g.rel());
        Generator rng = new Generator(7);
        x = Variable.parameter(Tensor.randn(rng, g.nodes(), DIM));
        w = Variable.parameter(Tensor.randn(rng, 0, 1 / Math.sqrt(DIM), org.crs4j.tensor.DType.F32, g.relations(), DIM, DIM));
        gradOut = Tensor.randn(rng, g.nodes(), DIM);
        zeros = Tensor.zeros(g.nodes(), DIM);
    }

    private Variable aggregate() {
        Variable summed = Variable.spmm(graph.aggregation(), x);                               // [S, 128]
        Variable transformed = summed.segmentMatmul(graph.relationOffsets(), w);              // [S, 128]
        return Variable.constant(zeros).indexAdd(0, graph.segmentDestinations(), transformed); // [N, 128]
    }

    /** The forward pass alone (no graph recorded). */
    public Tensor forward() {
        try (var off = GradMode.off()) {
            return aggregate().data();
        }
    }

    /** Forward and backward; returns dx (gradients are cleared first). */
    public Tensor forwardBackward() {
        x.zeroGrad();
        w.zeroGrad();
        aggregate().backward(gradOut);
        return x.grad();
    }

    Tensor x() {
        return x.data();
    }

    Tensor w() {
        return w.data();
    }

    Tensor gradW() {
        return w.grad();
    }

    Tensor gradOut() {
        return gradOut;
    }

    public RelationalGraph graph() {
        return graph;
    }
}
