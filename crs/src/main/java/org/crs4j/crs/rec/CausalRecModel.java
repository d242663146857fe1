package org.crs4j.crs.rec;

import org.crs4j.autograd.Variable;
import org.crs4j.nn.Init;
import org.crs4j.nn.Module;
import org.crs4j.nn.Parameter;
import org.crs4j.nn.graph.RGCN;
import org.crs4j.nn.graph.RelationalGraph;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;

/**
 * The deconfounded causal recommender of seed 003 (§3.2-3.3), and KBRD, as one model with switches
 * ({@link RecSettings}). Read top to bottom:
 * <ol>
 *   <li>{@link #entities}: H = RGCN(E) over the knowledge graph (Eq. 2), one row per entity; ReLU when
 *       {@code relu};</li>
 *   <li>{@link #users}: the context entities' rows of H pooled into one user vector: the time-aware attention of
 *       Eq. 3 (weights lambda^(i-1), normalised; the most recent weighs most) or KBRD's self-attention
 *       (e = tanh(H_c A) b, alpha = softmax(e), u = alpha^T H_c);</li>
 *   <li>{@link #intervened}: Eq. 5, the same pooling with the last entity's row replaced by M h, its weight kept in
 *       the denominator;</li>
 *   <li>{@link #logits}: u H_I^T over the item rows only (Eq. 4's mask: non-items would get -inf and zero
 *       probability, so they are left out of the product), plus a learned bias per item for KBRD.</li>
 * </ol>
 * The loss is {@link RecLoss}; training is {@link RecTrainer}; inference is {@link CausalRecommender}.
 *
 * <p>Initialisation: entity embeddings Glorot-uniform over [N, dim] (what KBRD's RGCN over one-hot inputs amounts
 * to: small vectors, so the first scores are near uniform), RGCN weights PyG's Glorot, KBRD's attention Glorot with
 * gain sqrt(2) as in its code, KBRD's output bias at 0, and the learned intervention mask at 0 (sigmoid 0.5).
 */
public final class CausalRecModel extends Module {
    private final RecSettings settings;
    private final Parameter entityEmbedding;
    private final RGCN rgcn;
    private final Parameter attentionA, attentionB, interventionMask, outputBias;

    /** A model for a graph of {@code entities} and {@code relations} (without the self-loop); rng null: weights to be loaded. */
    public CausalRecModel(RecSettings s, int entities, int relations, Generator rng) {
        this.settings = s;
        this.entityEmbedding = parameter("entity_embedding", Init.xavierUniform(rng, entities, s.dim(), entities, s.dim()));
        this.rgcn = child("rgcn", RGCN.builder(s.dim(), s.dim(), relations).bases(s.bases()).build(rng));
        if (s.pooling().equals(RecSettings.SELF_ATTENTION)) {
            double gain = Math.sqrt(2);
            attentionA = parameter("attention_a", Init.uniform(rng, gain * Math.sqrt(6.0 / (2 * s.dim())), s.dim(), s.dim()));
            attentionB = parameter("attention_b", Init.uniform(rng, gain * Math.sqrt(6.0 / (s.dim() + 1)), s.dim(), 1));
        } else {
            attentionA = attentionB = null;
        }
        interventionMask = s.causal() && s.intervention().equals("learned") ? parameter("intervention_mask", Tensor.zeros(s.dim())) : null;
        outputBias = s.outputBias() ? parameter("output_bias", Tensor.zeros(entities)) : null;
    }

    public RecSettings settings() {
        return settings;
    }

    /** H [N, dim]: every entity's representation (Eq. 2). */
    public Variable entities(RelationalGraph graph) {
        Variable h = rgcn.forward(entityEmbedding.get(), graph);
        return settings.relu() ? h.relu() : h;
    }

    /** The user vectors [B, dim] of a batch of contexts. */
    public Variable users(Variable h, Contexts c) {
        Variable rows = h.embedding(c.ids());                                           // [B, L, dim]
        if (attentionA == null) return rows.mul(Variable.constant(c.weights())).sum(1, false);
        Variable e = rows.matmul(attentionA.get()).tanh().matmul(attentionB.get());     // [B, L, 1]
        // a large negative, not -inf: an empty context (all padding) must not give 0/0; its vector is zeroed below
        Variable alpha = e.maskedFill(c.padding(), -1e9).softmax(1);
        return rows.mul(alpha).sum(1, false).mul(Variable.constant(c.nonEmpty()));
    }

    /**
     * Eq. 5: {@code users} with the last entity's term w_last h_last replaced by w_last M h_last. M zeroes the
     * vector by default (the paper leaves M undefined; zeroing is the plain reading), or multiplies it by
     * sigmoid(m) elementwise with a learned m.
     */
    public Variable intervened(Variable h, Contexts c, Variable users) {
        Variable last = h.embedding(c.lastIds()).mul(Variable.constant(c.lastWeights()));  // w_last h_last, [B, dim]
        if (interventionMask == null) return users.sub(last);
        return users.sub(last.mul(interventionMask.get().sigmoid().neg().add(1.0)));
    }

    /**
     * Scores of the items for user vectors [B, dim]: [B, I] (Eq. 4 before the softmax), u H_I^T, plus KBRD's bias of
     * each item when {@code outputBias}. {@code itemRows} are H's rows of the items {@code itemIds}.
     */
    public Variable logits(Variable users, Variable itemRows, Tensor itemIds) {
        Variable s = users.matmul(itemRows.mT());
        return outputBias == null ? s : s.add(outputBias.get().indexSelect(0, itemIds));
    }
}
