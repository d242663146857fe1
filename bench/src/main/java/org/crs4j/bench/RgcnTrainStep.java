package org.crs4j.bench;

import java.util.SplittableRandom;
import org.crs4j.autograd.Variable;
import org.crs4j.nn.Embedding;
import org.crs4j.nn.Module;
import org.crs4j.nn.graph.RGCN;
import org.crs4j.nn.graph.RelationalGraph;
import org.crs4j.nn.loss.Losses;
import org.crs4j.nn.optim.AdamW;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;

/**
 * One training step of paper 003's entity encoder, the workload of the RGCN benchmark (and, line for line, of
 * {@code scripts/bench-rgcn.py}):
 * <ol>
 *   <li>H = RGCN(E, graph): a trainable entity embedding E [N, 128] through one RGCN layer 128 -> 128 with one
 *       weight per relation, self-loop weight and bias, Z_{e,r} = 1 (paper 003's setting);</li>
 *   <li>a recommendation loss over it (Eq. 3-4 without the recency weights): 32 users, each the mean of H over 8
 *       context entities, scored against every entity, cross-entropy against a target entity;</li>
 *   <li>backward, AdamW (lr 1e-3, weight decay 0.01), zero the gradients.</li>
 * </ol>
 */
public final class RgcnTrainStep {
    public static final int DIM = 128, BATCH = 32, CONTEXT = 8;

    static final class Encoder extends Module {
        final Embedding entities;
        final RGCN rgcn;

        Encoder(int nodes, int relations, Generator rng) {
            entities = child("entities", new Embedding(nodes, DIM, rng));
            rgcn = child("rgcn", RGCN.builder(DIM, DIM, relations).build(rng));
        }
    }

    private final RelationalGraph graph;
    private final Encoder model;
    private final AdamW optimizer;
    private final Tensor context, targets;

    public RgcnTrainStep(RgcnGraph g) {
        this.graph = RelationalGraph.fromEdges(g.nodes(), g.relations(), g.src(), g.dst(), g.rel());
        this.model = new Encoder(g.nodes(), g.relations(), new Generator(0));
        this.optimizer = new AdamW(model.namedParameters(), 1e-3, 0.01);
        SplittableRandom r = new SplittableRandom(1);
        long[] ctx = new long[BATCH * CONTEXT], tgt = new long[BATCH];
        for (int i = 0; i < ctx.length; i++) ctx[i] = r.nextInt(g.nodes());
        for (int i = 0; i < tgt.length; i++) tgt[i] = r.nextInt(g.nodes());
        this.context = Tensor.of(ctx, BATCH, CONTEXT);
        this.targets = Tensor.of(tgt, BATCH);
    }

    /** Forward, backward, AdamW update; returns the loss. */
    public double step() {
        Variable h = model.rgcn.forward(model.entities.weight().get(), graph);      // [N, 128]
        Variable users = h.embedding(context).mean(1, false);                      // [32, 128]
        Variable logits = users.matmul(h.mT());                                    // [32, N]
        Variable loss = Losses.crossEntropy(logits, targets);
        loss.backward();
        optimizer.step();
        optimizer.zeroGrad();
        return loss.item();
    }

    /** Forward and backward only (no update), for profiling the parts. */
    public Variable forward() {
        Variable h = model.rgcn.forward(model.entities.weight().get(), graph);
        return Losses.crossEntropy(h.embedding(context).mean(1, false).matmul(h.mT()), targets);
    }

    public RelationalGraph graph() {
        return graph;
    }

    public long parameterCount() {
        return model.parameterCount();
    }

    public AdamW optimizer() {
        return optimizer;
    }

    public Module model() {
        return model;
    }
}
