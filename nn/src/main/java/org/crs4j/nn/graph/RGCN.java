package org.crs4j.nn.graph;

import org.crs4j.autograd.Variable;
import org.crs4j.nn.Init;
import org.crs4j.nn.Module;
import org.crs4j.nn.Parameter;
import org.crs4j.tensor.CsrMatrix;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;

/**
 * One relational graph convolution (Schlichtkrull et al. 2018), the entity encoder of paper 003, Eq. 2 without
 * its activation:
 * <pre>
 *   h'_e = W_0 h_e + sum_r sum_{e' in N_r(e)} (1 / Z_{e,r}) W_r h_{e'}  (+ b)
 * </pre>
 * Eq. 2 applies ReLU to this sum; as with torch layers the activation is the caller's ({@code layer.forward(x,
 * g).relu()}), since KBRD/KGSF, whose setting paper 003 follows, use the layer's output without one.
 *
 * <p>Options, all of PyG's RGCNConv that the CRS papers use:
 * <ul>
 *   <li>basis decomposition ({@code bases > 0}): W_r = sum_b a_rb V_b, with V {@code weight [B, in, out]} and
 *       a {@code comp [R, B]} — fewer parameters for KGs with many relations (KGSF: 214 relations, 8 bases);
 *   <li>normalisation: {@link Normalization#NONE} (Z_{e,r} = 1, paper 003's setting) or
 *       {@link Normalization#IN_DEGREE} (Z_{e,r} = |N_r(e)|, the R-GCN paper's and PyG's default);
 *   <li>self-loop weight W_0 ({@code root [in, out]}) and bias; both on by default, as in PyG.
 * </ul>
 * Parameter names and layouts are PyG's ({@code weight}, {@code comp}, {@code root}, {@code bias}; weights
 * multiply from the right, {@code x @ W}), so KBRD/KGSF state dicts map over by name.
 *
 * <p>Computation (see {@link RelationalGraph}): gather the source rows and sum them per (relation, destination)
 * segment, scaled by 1/Z — one sparse product with the graph's CSR aggregation matrix ({@link Variable#spmm}), so
 * the gathered per-edge rows are never materialised — then one matmul per relation over that relation's segments
 * ({@link Variable#segmentMatmul}), and a scatter-add ({@code index_add}) into the destinations on top of x W_0.
 * Cost is proportional to edges and segments, never to nodes squared.
 */
public final class RGCN extends Module {
    /** The normalisation constant Z_{e,r} of Eq. 2. */
    public enum Normalization {
        /** Z_{e,r} = 1: plain sum over neighbours (paper 003, following KBRD/KGSF). */
        NONE,
        /** Z_{e,r} = number of neighbours of e under r: a mean per relation (R-GCN paper, PyG default). */
        IN_DEGREE
    }

    private final int in, out, relations, bases;
    private final Normalization normalization;
    private final Parameter weight, comp, root, bias;

    private RGCN(Builder b, Generator rng) {
        this.in = b.in;
        this.out = b.out;
        this.relations = b.relations;
        this.bases = b.bases;
        this.normalization = b.normalization;
        int slices = bases > 0 ? bases : relations;
        // PyG's initialisation: glorot (uniform, fan over the last two dims) for weights, zeros for the bias
        this.weight = parameter("weight", Init.xavierUniform(rng, in, out, slices, in, out));
        this.comp = bases > 0 ? parameter("comp", Init.xavierUniform(rng, relations, bases, relations, bases)) : null;
        this.root = b.selfLoop ? parameter("root", Init.xavierUniform(rng, in, out, in, out)) : null;
        this.bias = b.bias ? parameter("bias", Tensor.zeros(out)) : null;
    }

    public static Builder builder(int in, int out, int relations) {
        return new Builder(in, out, relations);
    }

    public static final class Builder {
        private final int in, out, relations;
        private int bases;
        private Normalization normalization = Normalization.NONE;
        private boolean selfLoop = true, bias = true;

        private Builder(int in, int out, int relations) {
            if (in <= 0 || out <= 0 || relations < 0) {
                throw new IllegalArgumentException("RGCN needs positive dims and >= 0 relations, got in " + in + ", out "
                        + out + ", relations " + relations);
            }
            this.in = in;
            this.out = out;
            this.relations = relations;
        }

        /** Basis decomposition with this many bases (0: one full matrix per relation). */
        public Builder bases(int bases) {
            if (bases < 0) throw new IllegalArgumentException("bases must be >= 0, got " + bases);
            this.bases = bases;
            return this;
        }

        public Builder normalization(Normalization n) {
            this.normalization = n;
            return this;
        }

        public Builder selfLoop(boolean on) {
            this.selfLoop = on;
            return this;
        }

        public Builder bias(boolean on) {
            this.bias = on;
            return this;
        }

        public RGCN build(Generator rng) {
            return new RGCN(this, rng);
        }
    }

    /** Node features {@code [N, in]} over {@code graph} -> {@code [N, out]}. */
    public Variable forward(Variable x, RelationalGraph graph) {
        if (x.dim() != 2 || x.size(0) != graph.numNodes() || x.size(1) != in) {
            throw new IllegalArgumentException("RGCN(" + in + " -> " + out + ") over " + graph.numNodes()
                    + " nodes needs features [" + graph.numNodes() + ", " + in + "], got " + java.util.Arrays.toString(x.shape()));
        }
        if (graph.numRelations() != relations) {
            throw new IllegalArgumentException("RGCN has " + relations + " relations, the graph has " + graph.numRelations());
        }
        CsrMatrix a = normalization == Normalization.IN_DEGREE ? graph.meanAggregation() : graph.aggregation();
        Variable summed = Variable.spmm(a, x);                                                        // [S, in]
        Variable transformed = summed.segmentMatmul(graph.relationOffsets(), relationWeights());      // [S, out]
        Variable base = root != null ? x.matmul(root.get())
                : Variable.constant(x.data().backend().zeros(x.dtype().computeType(), graph.numNodes(), out)); // on x's device
        Variable h = base.indexAdd(0, graph.segmentDestinations(), transformed);                     // [N, out]
        return bias == null ? h : h.add(bias.get());
    }

    /** W_r for every relation, [R, in, out]: the parameters themselves, or composed from the bases. */
    public Variable relationWeights() {
        if (comp == null) return weight.get();
        return comp.get().matmul(weight.get().reshape(bases, in * out)).reshape(relations, in, out);
    }

    public Normalization normalization() {
        return normalization;
    }

    public int inFeatures() {
        return in;
    }

    public int outFeatures() {
        return out;
    }

    public int relations() {
        return relations;
    }

    public int bases() {
        return bases;
    }
}
