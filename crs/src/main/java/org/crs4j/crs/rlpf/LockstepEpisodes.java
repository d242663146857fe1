package org.crs4j.crs.rlpf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;
import org.crs4j.crs.llm.Llm;
import org.crs4j.crs.llm.LlmRequest;
import org.crs4j.crs.llm.LlmResponse;

/**
 * Plays episodes that each make several LLM calls, one after the other (LLMCRS: detection, matching, response), so
 * that the policy still samples them in batches: every episode runs on its own thread, and when each episode still
 * running is waiting on a call, the last to arrive has the policy answer all of them in one
 * {@link Policy#completeAll} (in episode order). A round thus holds exactly the episodes that make another call, which
 * does not depend on thread timing: the same seeds give the same samples.
 */
final class LockstepEpisodes {
    private final Policy policy;
    private final LlmRequest[] pending;
    private final LlmResponse[] answers;
    private int live, waiting;
    private long round;
    private RuntimeException failure;

    private LockstepEpisodes(Policy policy, int n) {
        this.policy = policy;
        this.pending = new LlmRequest[n];
        this.answers = new LlmResponse[n];
        this.live = n;
    }

    /** Runs {@code play(i, llm_i)} for every episode i and returns their results in episode order. */
    static <T> List<T> play(int n, Policy policy, BiFunction<Integer, Llm, T> play) {
        LockstepEpisodes l = new LockstepEpisodes(policy, n);
        Object[] results = new Object[n];
        Throwable[] errors = new Throwable[n];
        Thread[] threads = new Thread[n];
        for (int i = 0; i < n; i++) {
            int e = i;
            Llm llm = new Llm() {
                @Override public String endpoint() { return "rlpf policy " + policy.model().source(); }
                @Override public LlmResponse complete(LlmRequest request) { return l.ask(e, request); }
            };
            threads[i] = Thread.ofPlatform().name("rlpf-episode-" + i).start(() -> {
                try {
                    results[e] = play.apply(e, llm);
                } catch (Throwable t) {
                    errors[e] = t;
                } finally {
                    l.finished();
                }
            });
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while playing episodes", ex);
            }
        }
        synchronized (l) {
            if (l.failure != null) throw l.failure; // the policy could not sample: not the controller's text, a real error
        }
        for (int i = 0; i < n; i++) {
            if (errors[i] instanceof RuntimeException r) throw r;
            if (errors[i] instanceof Error r) throw r;
            if (errors[i] != null) throw new IllegalStateException("episode " + i, errors[i]);
        }
        @SuppressWarnings("unchecked") List<T> out = (List<T>) Arrays.asList(results);
        return new ArrayList<>(out);
    }

    private synchronized LlmResponse ask(int episode, LlmRequest request) {
        pending[episode] = request;
        waiting++;
        long mine = round;
        if (waiting == live) answerRound();
        while (round == mine) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the policy", e);
            }
        }
        if (failure != null) throw failure;
        LlmResponse r = answers[episode];
        answers[episode] = null;
        return r;
    }

    private synchronized void finished() {
        live--;
        if (live > 0 && waiting == live) answerRound();
    }

    private void answerRound() {
        int count = 0;
        for (LlmRequest r : pending) if (r != null) count++;
        int[] episodes = new int[count];
        List<LlmRequest> requests = new ArrayList<>(count);
        for (int i = 0, k = 0; i < pending.length; i++) {
            if (pending[i] == null) continue;
            episodes[k++] = i;
            requests.add(pending[i]);
        }
        if (failure == null) {
            try {
                List<LlmResponse> responses = policy.completeAll(episodes, requests);
                for (int k = 0; k < count; k++) answers[episodes[k]] = responses.get(k);
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        Arrays.fill(pending, null);
        waiting = 0;
        round++;
        notifyAll();
    }
}
