package org.crs4j.crs.serve;

import java.util.List;

/**
 * A parsed, type-checked {@code /v1/chat/completions} or {@code /v1/completions} request, before it meets a model.
 * Values the client left out are null (the model's generation defaults apply).
 *
 * @param chat         true for chat (messages), false for completions (prompts)
 * @param model        the name asked for: looked up only among the models loaded at start
 * @param messages     chat messages (chat only)
 * @param prompts      completion prompts, text or token ids (completions only): one choice group per prompt
 * @param n            choices per prompt
 * @param maxTokens    {@code max_tokens} / {@code max_completion_tokens}, or null
 * @param maxTokensParam which of the two the client used (named in errors)
 * @param temperature  0..2, or null
 * @param topP         (0, 1], or null
 * @param seed         sampling seed, or null (random)
 * @param stop         stop strings (at most 4, none empty)
 * @param stream       server-sent events
 * @param includeUsage {@code stream_options.include_usage}: a last chunk with the usage counts
 */
public record GenerationRequest(boolean chat, String model, List<ChatMessage> messages, List<Prompt> prompts, int n,
                                Integer maxTokens, String maxTokensParam, Double temperature, Double topP, Long seed, List<String> stop,
                                boolean stream, boolean includeUsage) {

    /** A completion prompt: text to encode as the model expects, or token ids used as given. */
    public record Prompt(String text, int[] ids) {
        public static Prompt text(String text) {
            return new Prompt(text, null);
        }

        public static Prompt ids(int[] ids) {
            return new Prompt(null, ids);
        }
    }
}
