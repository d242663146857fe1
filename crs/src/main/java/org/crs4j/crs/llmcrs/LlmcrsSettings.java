package org.crs4j.crs.llmcrs;

/**
 * How LLMCRS builds its prompts and falls back.
 *
 * @param contextTurns       turns of dialogue context the prompts show (the latest ones)
 * @param demoContextTurns   turns of context each demonstration shows
 * @param maxWordsPerTurn    words shown per turn
 * @param demoPoolSize       examples kept per sub-task for choosing demonstrations
 * @param detectionFallback  the sub-task used when detection yields none (Recommendation: the turn then behaves as
 *                           w/o M, the one configuration that still recommends)
 */
public record LlmcrsSettings(int contextTurns, int demoContextTurns, int maxWordsPerTurn, int demoPoolSize, SubTask detectionFallback) {
    public LlmcrsSettings {
        if (contextTurns < 1 || demoContextTurns < 1 || maxWordsPerTurn < 1 || demoPoolSize < 0)
            throw new IllegalArgumentException("context turns, demonstration turns and words per turn must be >= 1, the pool >= 0");
        if (detectionFallback == null) throw new IllegalArgumentException("a detection fallback sub-task is needed");
    }

    /**
     * 4 turns of context, 1 per demonstration, 40 words per turn, pools of 2,000, Recommendation as fallback: the
     * detection prompt then stays near seed 000's 512-token source limit for Flan-T5 on INSPIRED (measured in the
     * README).
     */
    public static LlmcrsSettings defaults() { return new LlmcrsSettings(4, 1, 40, 2000, SubTask.RECOMMENDATION); }
}
