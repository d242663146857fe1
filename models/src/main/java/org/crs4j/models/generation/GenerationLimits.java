package org.crs4j.models.generation;

import java.util.Locale;

/**
 * The checks every generation request passes before any work: beams within the vocabulary, prompts within the
 * context ({@link ContextWindow}), and what the request certainly allocates within the heap. Refusals are
 * {@link GenerationLimitException}s with the numbers, thrown before anything is computed or printed.
 */
public final class GenerationLimits {
    private GenerationLimits() {}

    /**
     * Validates a request and returns the prompts as they will run (truncated when the config asks for it).
     *
     * @throws GenerationLimitException when a limit is exceeded
     * @throws IllegalArgumentException for prompts that are empty or hold ids outside the vocabulary
     */
    public static int[][] check(TokenDecoder model, int[][] prompts, GenerationConfig config) {
        if (prompts.length == 0) throw new IllegalArgumentException("no prompts");
        int vocab = model.vocabSize();
        for (int r = 0; r < prompts.length; r++) checkIds("prompt " + r, prompts[r], vocab);
        if (config.numBeams() > vocab) {
            throw new GenerationLimitException(GenerationLimitException.Limit.BEAMS, config.numBeams(), vocab,
                    config.numBeams() + " beams are more than the " + vocab + " tokens of the vocabulary: beam search keeps"
                            + " distinct extensions, so at most " + vocab + " beams can differ");
        }
        int[][] fitted = model.context().fit(prompts, config.maxNewTokens(), config.truncatePrompt());
        int longest = 0;
        for (int[] p : fitted) longest = Math.max(longest, p.length);
        int rows = config.numBeams() > 1 ? config.numBeams() : fitted.length; // beam search runs one prompt at a time
        checkMemory(model.sessionBytes(rows, longest, config.maxNewTokens()),
                rows + " rows of " + longest + " prompt tokens + " + config.maxNewTokens() + " new tokens");
        return fitted;
    }

    /** Refuses ids outside the model's vocabulary (the embedding has no row for them). */
    public static void checkIds(String what, int[] ids, int vocab) {
        if (ids == null) throw new IllegalArgumentException(what + " is null");
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocab) {
                throw new IllegalArgumentException(what + ", token " + i + ": id " + ids[i] + " is outside the model's vocabulary [0, " + vocab + ")");
            }
        }
    }

    /** Refuses a request whose certain allocations ({@code bytes}, a lower bound) exceed the JVM's maximum heap. */
    public static void checkMemory(long bytes, String what) {
        long max = Runtime.getRuntime().maxMemory();
        if (bytes < 0 || bytes > max) {
            String need = bytes < 0 ? "more than 2^63 bytes" : mib(bytes);
            throw new GenerationLimitException(GenerationLimitException.Limit.MEMORY, bytes < 0 ? Long.MAX_VALUE : bytes, max,
                    what + " need at least " + need + " (key/value cache and activations), more than the JVM's maximum heap of "
                            + mib(max) + "; ask for fewer tokens or beams, or raise -Xmx (CRS4J_JAVA_OPTS)");
        }
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%,d MiB", bytes >> 20);
    }

    /** a * b * ..., saturating at Long.MAX_VALUE instead of overflowing. */
    public static long product(long... factors) {
        long p = 1;
        for (long f : factors) {
            if (f <= 0) return 0;
            if (p > Long.MAX_VALUE / f) return Long.MAX_VALUE;
            p *= f;
        }
        return p;
    }

    /** a + b, saturating. */
    public static long sum(long... terms) {
        long s = 0;
        for (long t : terms) s = s > Long.MAX_VALUE - t ? Long.MAX_VALUE : s + t;
        return s;
    }
}
