package org.crs4j.crs.llm;

import java.util.function.Consumer;
import org.crs4j.autograd.GradMode;
import org.crs4j.models.LanguageModel;
import org.crs4j.models.generation.Generation;
import org.crs4j.models.generation.GenerationConfig;
import org.crs4j.models.generation.GenerationLimitException;
import org.crs4j.models.tokenizer.DecodeStream;

/**
 * An {@link Llm} over a model crs4j loads in this process (Flan-T5, LLaMA, llama2.c). Generation stops at the model's
 * stop tokens (EOS); the response carries the exact prompt and output ids so that RLPF can score what was sampled.
 */
public final class LocalLlm implements Llm {
    private final LanguageModel model;
    private final String endpoint;
    private final boolean owned;

    /**
     * @param owned whether {@link #close()} closes the model (true when this object loaded it)
     */
    public LocalLlm(LanguageModel model, String endpoint, boolean owned) {
        this.model = model;
        this.endpoint = endpoint;
        this.owned = owned;
    }

    public LanguageModel model() {
        return model;
    }

    @Override
    public String endpoint() {
        return endpoint;
    }

    @Override
    public LlmResponse complete(LlmRequest request) {
        long start = System.nanoTime();
        Sampling s = request.sampling();
        GenerationConfig config = model.defaults().withMaxNewTokens(s.maxNewTokens()).withTemperature(s.temperature())
                .withTopK(0).withTopP(s.topP()).withSeed(s.seed()).withBeams(1, 1);
        int[] prompt = model.encodePrompt(request.prompt());
        DecodeStream decoder = model.outputStream(prompt);
        Consumer<String> stream = request.stream();
        int[][] out;
        try (var off = GradMode.off()) {
            out = Generation.generate(model.decoder(), new int[][] {prompt}, config, (row, token) -> {
                String piece = decoder.next(token);
                if (stream != null && !piece.isEmpty()) stream.accept(piece);
            });
        } catch (GenerationLimitException e) { // refused before any work: the cause keeps the limit and its numbers
            throw new LlmException(endpoint + ": " + e.getMessage(), e);
        }
        String rest = decoder.flush();
        if (stream != null && !rest.isEmpty()) stream.accept(rest);
        String text = model.decodeOutput(prompt, out[0]);
        return new LlmResponse(text, prompt.length, out[0].length, System.nanoTime() - start, prompt, out[0]);
    }

    @Override
    public void close() {
        if (owned) model.close();
    }
}
