package org.crs4j.crs.serve;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.crs4j.models.LanguageModel;
import org.crs4j.models.generation.TokenDecoder;

/**
 * A model the server loaded at start, under the name requests use: the model, its chat format, the stop tokens and
 * strings its chat answers end at, and the engine that batches its requests.
 */
public final class ServedModel implements AutoCloseable {
    private final String name;
    private final LanguageModel model;
    private final ChatFormat chatFormat;
    private final int[] chatStopTokens;
    private final List<String> chatStopStrings;
    private final BatchEngine engine;
    private final long created = System.currentTimeMillis() / 1000;

    /**
     * @param chatFormat how messages become a prompt; its stop texts become stop tokens where the tokenizer has them
     *                   as a single piece (e.g. {@code <|im_end|>}), stop strings otherwise
     */
    public ServedModel(String name, LanguageModel model, ChatFormat chatFormat, ServeLimits limits) throws IOException {
        this(name, model, chatFormat, limits, model.decoder(), ServeLimits.kvBudgetBytes());
    }

    /**
     * With the decoder the engine drives and the KV budget given apart (tests slow the decoder down to make timing
     * deterministic, and shrink the budget to reach it).
     */
    ServedModel(String name, LanguageModel model, ChatFormat chatFormat, ServeLimits limits, TokenDecoder decoder, long kvBudget)
            throws IOException {
        if (!model.hasTokenizer()) throw new IOException(model.source() + ": no tokenizer found beside the model");
        this.name = name;
        this.model = model;
        this.chatFormat = chatFormat;
        List<Integer> tokens = new ArrayList<>();
        List<String> strings = new ArrayList<>();
        for (String stop : chatFormat.stops()) {
            int id = model.tokenizer().pieceId(stop);
            if (id >= 0) tokens.add(id);
            else strings.add(stop);
        }
        this.chatStopTokens = tokens.stream().mapToInt(Integer::intValue).toArray();
        this.chatStopStrings = List.copyOf(strings);
        this.engine = new BatchEngine(name, decoder, limits, kvBudget);
    }

    public String name() {
        return name;
    }

    public LanguageModel model() {
        return model;
    }

    public ChatFormat chatFormat() {
        return chatFormat;
    }

    public BatchEngine engine() {
        return engine;
    }

    /** Unix seconds at load, for /v1/models. */
    public long created() {
        return created;
    }

    /** The model's stop tokens (EOS) plus, for chat, the format's. */
    int[] stopTokens(boolean chat) {
        int[] base = model.defaults().stopTokens();
        if (!chat) return base;
        return IntStream.concat(Arrays.stream(base), Arrays.stream(chatStopTokens)).distinct().toArray();
    }

    /** The request's stop strings plus, for chat, the format's. */
    List<String> stopStrings(boolean chat, List<String> requested) {
        if (!chat || chatStopStrings.isEmpty()) return requested;
        List<String> all = new ArrayList<>(requested);
        for (String s : chatStopStrings) if (!all.contains(s)) all.add(s);
        return all;
    }

    /**
     * Stops the engine and closes the model — unless a decoding step is still running after the engine's grace time
     * (a large model on a busy machine): unmapping its weights under it would crash the process, which is exiting
     * anyway.
     */
    @Override
    public void close() {
        engine.close();
        if (engine.stopped()) model.close();
    }
}
