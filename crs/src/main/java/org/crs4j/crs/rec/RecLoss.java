package org.crs4j.crs.rec;

import org.crs4j.autograd.Variable;
import org.crs4j.nn.graph.RelationalGraph;
import org.crs4j.nn.loss.Losses;
import org.crs4j.nn.loss.Reduction;
import org.crs4j.tensor.Tensor;

/**
 * Seed 003's training objective (Eq. 7-8), each term a mean over the batch:
 * <pre>
 *   L = CE(p, y) + alpha * (cos(p-bar, y) - cos(p, y)) + beta * KL(p-bar || p)
 * </pre>
 * with p = softmax(logits), p-bar = softmax(intervened logits) (Eq. 4, 6), y the one-hot target, cos the cosine
 * similarity (Eq. 7's Sim) and KL(p-bar || p) = sum_i p-bar_i (log p-bar_i - log p_i). Gradients flow into both
 * distributions. Without intervened logits (the {@code no-causal} and {@code kbrd} variants) L = CE.
 *
 * @param total  what is minimised
 * @param ce     the cross-entropy term
 * @param causal cos(p-bar, y) - cos(p, y), before alpha (null without intervention)
 * @param kl     KL(p-bar || p), before beta (null without intervention)
 */
public record RecLoss(Variable total, Variable ce, Variable causal, Variable kl) {

    /**
     * The loss of one training update: H = RGCN(E) once for the whole batch, the item rows, the pooled users, their
     * scores and, for the causal variants, the intervened scores, then Eq. 8.
     *
     * @param itemIds the item entity ids, ascending ({@code RecGraph.itemIds()})
     * @param targets [B] positions in {@code itemIds} (I64)
     */
    public static RecLoss ofBatch(CausalRecModel model, RelationalGraph graph, Tensor itemIds, Contexts c, Tensor targets) {
        RecSettings s = model.settings();
        Variable h = model.entities(graph);
        Variable itemRows = h.indexSelect(0, itemIds);
        Variable users = model.users(h, c);
        Variable logits = model.logits(users, itemRows, itemIds);
        Variable intervened = s.causal() ? model.logits(model.intervened(h, c, users), itemRows, itemIds) : null;
        return of(logits, intervened, targets, s.alpha(), s.beta());
    }

    /**
     * @param logits            [B, I] scores of the items
     * @param intervenedLogits  [B, I] scores after the intervention, or null for cross-entropy alone
     * @param targets           [B] item positions (I64)
     */
    public static RecLoss of(Variable logits, Variable intervenedLogits, Tensor targets, double alpha, double beta) {
        Variable logP = logits.logSoftmax(1);
        Variable ce = Losses.nll(logP, targets, Losses.IGNORE_INDEX, Reduction.MEAN);
        if (intervenedLogits == null) return new RecLoss(ce, ce, null, null);
        // made where the logits are: [B, I] floats, too many to build on the CPU and upload every step
        Variable oneHot = Variable.constant(targets.toDevice(logits.data().device()).oneHot(logits.size(1)).to(logits.dtype()));
        Variable logPBar = intervenedLogits.logSoftmax(1);
        Variable causal = Losses.cosineSimilarity(logPBar.exp(), oneHot, 1).mean()
                .sub(Losses.cosineSimilarity(logP.exp(), oneHot, 1).mean());
        Variable kl = Losses.klDiv(logP, logPBar, Reduction.BATCHMEAN, true);
        return new RecLoss(ce.add(causal.mul(alpha)).add(kl.mul(beta)), ce, causal, kl);
    }
}
