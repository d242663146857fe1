package org.crs4j.models.generation;

import java.util.Arrays;

/**
 * How many positions a model was trained to attend over, and how a request is fitted into them. Every path that
 * generates or scores goes through it before any work ({@link Generation}, the decoding sessions, the scoring
 * functions), so the command line, a server, LLMCRS and RLPF all get the same limit without asking for it.
 *
 * <ul>
 *   <li>A decoder-only model (LLaMA) holds prompt and output in one sequence: prompt + new tokens must fit
 *       {@link #length}.</li>
 *   <li>An encoder-decoder (T5) encodes the prompt apart: the prompt must fit, and so must the output after the decoder
 *       start token.</li>
 * </ul>
 *
 * A request that does not fit is refused with the numbers ({@link GenerationLimitException}, limit
 * {@link GenerationLimitException.Limit#CONTEXT_LENGTH}), or, when asked ({@link GenerationConfig#truncatePrompt}), its
 * prompt keeps only its last tokens, behind a LLaMA prompt's BOS: the most recent turns of a conversation are the ones
 * a recommender needs.
 *
 * @param length       positions a sequence may take ({@link Integer#MAX_VALUE}: no trained limit)
 * @param encoderDecoder whether the prompt is encoded apart from the output
 * @param bos          a token that truncation keeps at the start of a prompt that begins with it, or -1
 * @param source       where the length comes from, for messages ("max_position_embeddings in config.json")
 */
public record ContextWindow(int length, boolean encoderDecoder, int bos, String source) {
    /** No trained limit: only memory bounds a request. */
    public static final ContextWindow UNLIMITED = new ContextWindow(Integer.MAX_VALUE, false, -1, "no limit");

    public ContextWindow {
        if (length < 1) throw new IllegalArgumentException("a context must hold at least one position, got " + length);
    }

    public boolean limited() {
        return length != Integer.MAX_VALUE;
    }

    /**
     * The prompts as they will run: unchanged when they fit with {@code maxNewTokens} more tokens, cut from the left when
     * {@code truncate} is set, refused otherwise.
     *
     * @throws GenerationLimitException with the numbers, naming the prompt (by its index when there are several)
     */
    public int[][] fit(int[][] prompts, int maxNewTokens, boolean truncate) {
        int outputPositions = encoderDecoder ? maxNewTokens + 1 : maxNewTokens; // T5: the decoder start token first
        if (encoderDecoder && (long) outputPositions > length) {
            throw new GenerationLimitException(GenerationLimitException.Limit.CONTEXT_LENGTH, outputPositions, length,
                    maxNewTokens + " new tokens (+ the decoder start token) exceed the model's context of " + length
                            + " positions (" + source + "); ask for at most " + (length - 1));
        }
        int room = encoderDecoder ? length : length - maxNewTokens; // positions left for the prompt
        if (room < 1 || (!encoderDecoder && truncate && room < 1 + (bos >= 0 ? 1 : 0))) {
            throw new GenerationLimitException(GenerationLimitException.Limit.CONTEXT_LENGTH, (long) maxNewTokens + 1, length,
                    maxNewTokens + " new tokens leave no room for a prompt in the model's context of " + length
                            + " positions (" + source + "); ask for at most " + (length - 1 - (bos >= 0 ? 1 : 0)));
        }
        int[][] out = prompts;
        for (int r = 0; r < prompts.length; r++) {
            int[] p = prompts[r];
            if (p.length <= room) continue;
            if (!truncate) {
                String which = prompts.length == 1 ? "the prompt's " : "prompt " + r + "'s ";
                String need = encoderDecoder ? which + p.length + " tokens exceed" : which + p.length + " tokens + " + maxNewTokens
                        + " new tokens = " + ((long) p.length + maxNewTokens) + " positions exceed";
                throw new GenerationLimitException(GenerationLimitException.Limit.CONTEXT_LENGTH,
                        encoderDecoder ? p.length : (long) p.length + maxNewTokens, length, need + " the model's context of "
                        + length + " positions (" + source + "); shorten the prompt, ask for fewer new tokens, or truncate the"
                        + " prompt (its last " + room + " tokens would be kept)");
            }
            if (out == prompts) out = prompts.clone();
            out[r] = truncate(p, room);
        }
        return out;
    }

    /** The last {@code room} tokens of a prompt, behind its BOS when it starts with one. */
    private int[] truncate(int[] prompt, int room) {
        if (bos >= 0 && prompt[0] == bos && room >= 2) {
            int[] t = new int[room];
            t[0] = bos;
            System.arraycopy(prompt, prompt.length - (room - 1), t, 1, room - 1);
            return t;
        }
        return Arrays.copyOfRange(prompt, prompt.length - room, prompt.length);
    }

    /** Refuses a scored pair that does not fit: prompt + target in one sequence, or each apart for an encoder-decoder. */
    public void checkScoring(int row, int promptLength, int targetLength) {
        long positions = encoderDecoder ? Math.max(promptLength, targetLength) : (long) promptLength + targetLength;
        if (positions <= length) return;
        String what = encoderDecoder
                ? (promptLength > length ? "input of " + promptLength + " tokens" : "target of " + targetLength + " tokens")
                : "prompt of " + promptLength + " tokens + target of " + targetLength + " tokens = " + positions + " positions";
        throw new GenerationLimitException(GenerationLimitException.Limit.CONTEXT_LENGTH, positions, length,
                "pair " + row + ": " + what + " exceeds the model's context of " + length + " positions (" + source + ")");
    }

    /** Refuses a sequence of {@code tokens} positions (a training batch's width) that does not fit. */
    public void checkSequence(String what, int tokens) {
        if (tokens <= length) return;
        throw new GenerationLimitException(GenerationLimitException.Limit.CONTEXT_LENGTH, tokens, length,
                what + " of " + tokens + " tokens exceeds the model's context of " + length + " positions (" + source + ")");
    }
}
