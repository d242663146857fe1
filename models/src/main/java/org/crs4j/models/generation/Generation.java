package org.crs4j.models.generation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.crs4j.tensor.Tensor;

/**
 * Generation algorithms over a {@link TokenDecoder}: greedy decoding and sampling for a batch of prompts at once
 * (one forward pass per step for the whole batch, each row stopping on its own), and beam search. Tokens are streamed
 * to a {@link TokenListener} as they are chosen (beam search knows its tokens only at the end and streams the winner
 * then).
 */
public final class Generation {
    private Generation() {}

    /**
     * Generates continuations of {@code prompts}; returns for each prompt the new tokens only (a stop token that ended
     * a row is included, as Hugging Face includes EOS). The request is checked first ({@link GenerationLimits}): a
     * prompt too long for the model's context is refused with the numbers, or truncated when the config says so.
     *
     * @throws GenerationLimitException before any work when the request exceeds the context, the vocabulary (beams)
     *                                  or the heap
     */
    public static int[][] generate(TokenDecoder model, int[][] prompts, GenerationConfig config, TokenListener listener) {
        if (listener == null) listener = TokenListener.NONE;
        prompts = GenerationLimits.check(model, prompts, config);
        if (config.numBeams() > 1) {
            int[][] out = new int[prompts.length][];
            for (int r = 0; r < prompts.length; r++) {
                out[r] = beamSearch(model, prompts[r], config);
                for (int t : out[r]) listener.onToken(r, t);
            }
            return out;
        }
        return sampleBatch(model, prompts, config, listener);
    }

    private static int[][] sampleBatch(TokenDecoder model, int[][] prompts, GenerationConfig config, TokenListener listener) {
        int batch = prompts.length, vocab = model.vocabSize();
        List<List<Integer>> out = new ArrayList<>();
        for (int r = 0; r < batch; r++) out.add(new ArrayList<>());
        if (config.maxNewTokens() == 0) return toArrays(out);
        DecodingSession session = model.start(prompts, config.maxNewTokens());
        Sampler sampler = new Sampler(config);
        boolean[] done = new boolean[batch];
        int[] next = new int[batch];
        for (int step = 0; step < config.maxNewTokens(); step++) {
            float[] logits = session.logits().toFloatArray();
            int active = 0;
            for (int r = 0; r < batch; r++) {
                if (done[r]) continue; // finished rows keep repeating their last token, which nobody reads
                next[r] = sampler.next(logits, r * vocab, vocab);
                out.get(r).add(next[r]);
                listener.onToken(r, next[r]);
                if (config.isStop(next[r])) done[r] = true;
                else active++;
            }
            if (active == 0 || step == config.maxNewTokens() - 1) break;
            session.append(next);
        }
        return toArrays(out);
    }

    private static int[][] toArrays(List<List<Integer>> rows) {
        int[][] a = new int[rows.size()][];
        for (int r = 0; r < a.length; r++) a[r] = rows.get(r).stream().mapToInt(Integer::intValue).toArray();
        return a;
    }

    /** A finished or running beam: its new tokens and the sum of their log-probabilities. */
    private record Hypothesis(int[] tokens, double logProb, double score) {}

    /**
     * Beam search for one prompt: numBeams hypotheses advance together (one batch of numBeams rows per step); each
     * step keeps the 2·numBeams best extensions, moves those ending in a stop token to the finished list (score =
     * sum log p / length^lengthPenalty) and continues with the best numBeams others. Stops when numBeams hypotheses
     * are finished and no running beam can beat the worst of them (Hugging Face's early_stopping=False test), or at
     * maxNewTokens. Returns the best hypothesis's tokens.
     */
    public static int[] beamSearch(TokenDecoder model, int[] prompt, GenerationConfig config) {
        prompt = GenerationLimits.check(model, new int[][] {prompt}, config)[0];
        int beams = config.numBeams(), vocab = model.vocabSize(), maxNew = config.maxNewTokens();
        if (maxNew == 0) return new int[0];
        int[][] prompts = new int[beams][];
        Arrays.fill(prompts, prompt);
        DecodingSession session = model.start(prompts, maxNew);
        List<int[]> tokens = new ArrayList<>();
        double[] beamLogProb = new double[beams];
        for (int b = 0; b < beams; b++) tokens.add(new int[0]);
        List<Hypothesis> finished = new ArrayList<>();
        for (int step = 0; step < maxNew; step++) {
            Tensor logp = session.logits().logSoftmax(-1);
            float[] lp = logp.toFloatArray();
            // candidates: (beam, token, total log-prob); at the first step all beams are identical, so only beam 0
            int live = step == 0 ? 1 : beams;
            int want = Math.min(2 * beams, live * vocab);
            long[] bestIdx = new long[want];
            double[] bestVal = new double[want];
            Arrays.fill(bestVal, Double.NEGATIVE_INFINITY);
            for (int b = 0; b < live; b++) {
                for (int v = 0; v < vocab; v++) {
                    double total = beamLogProb[b] + lp[b * vocab + v];
                    if (total > bestVal[want - 1]) insert(bestIdx, bestVal, (long) b * vocab + v, total);
                }
            }
            int[] rows = new int[beams], next = new int[beams];
            double[] nextLogProb = new double[beams];
            List<int[]> nextTokens = new ArrayList<>();
            int kept = 0;
            int length = step + 1;
            for (int c = 0; c < want && kept < beams; c++) {
                if (bestVal[c] == Double.NEGATIVE_INFINITY) break;
                int b = (int) (bestIdx[c] / vocab), v = (int) (bestIdx[c] % vocab);
                int[] seq = Arrays.copyOf(tokens.get(b), length);
                seq[length - 1] = v;
                if (config.isStop(v)) {
                    // as Hugging Face: only candidates ranked among the first numBeams may finish
                    if (c < beams) finished.add(new Hypothesis(seq, bestVal[c], bestVal[c] / Math.pow(length, config.lengthPenalty())));
                    continue;
                }
                rows[kept] = b;
                next[kept] = v;
                nextLogProb[kept] = bestVal[c];
                nextTokens.add(seq);
                kept++;
            }
            if (kept < beams) {
                // every extension ended: nothing left to run
                if (kept == 0) break;
                for (int i = kept; i < beams; i++) {
                    rows[i] = rows[0];
                    next[i] = next[0];
                    nextLogProb[i] = Double.NEGATIVE_INFINITY;
                    nextTokens.add(nextTokens.get(0));
                }
            }
            tokens = nextTokens;
            beamLogProb = nextLogProb;
            if (finished.size() >= beams) {
                finished.sort(Comparator.comparingDouble(Hypothesis::score).reversed());
                double worst = finished.get(beams - 1).score();
                double bestRunning = beamLogProb[0] / Math.pow(length, config.lengthPenalty());
                if (bestRunning <= worst) break;
            }
            if (step == maxNew - 1) break;
            session.reorder(rows);
            session.append(next);
        }
        for (int b = 0; b < beams; b++) {
            if (beamLogProb[b] == Double.NEGATIVE_INFINITY || tokens.get(b).length == 0) continue;
            int len = tokens.get(b).length;
            finished.add(new Hypothesis(tokens.get(b), beamLogProb[b], beamLogProb[b] / Math.pow(len, config.lengthPenalty())));
        }
        return finished.stream().max(Comparator.comparingDouble(Hypothesis::score)).map(Hypothesis::tokens).orElse(new int[0]);
    }

    /** Inserts (idx, val) into the descending arrays, dropping the last entry. */
    private static void insert(long[] idx, double[] val, long i, double v) {
        int p = val.length - 1;
        while (p > 0 && val[p - 1] < v) {
            val[p] = val[p - 1];
            idx[p] = idx[p - 1];
            p--;
        }
        val[p] = v;
        idx[p] = i;
    }
}
