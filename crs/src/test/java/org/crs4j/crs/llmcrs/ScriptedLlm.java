package org.crs4j.crs.llmcrs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.crs4j.crs.llm.Llm;
import org.crs4j.crs.llm.LlmException;
import org.crs4j.crs.llm.LlmRequest;
import org.crs4j.crs.llm.LlmResponse;

/**
 * A test double of {@link Llm} that answers by stage ({@code detection}, {@code matching}, {@code response}) with a
 * function of the prompt, streams its answer in two pieces, fails where told, and keeps every request.
 */
final class ScriptedLlm implements Llm {
    private final Map<String, Function<String, String>> answers = new HashMap<>();
    final List<LlmRequest> requests = new ArrayList<>();

    ScriptedLlm answer(String stage, String text) { return answer(stage, p -> text); }

    ScriptedLlm answer(String stage, Function<String, String> f) {
        answers.put(stage, f);
        return this;
    }

    ScriptedLlm fail(String stage) {
        return answer(stage, p -> { throw new LlmException("scripted: " + stage + " is down"); });
    }

    @Override public String endpoint() { return "scripted"; }

    @Override
    public synchronized LlmResponse complete(LlmRequest request) {
        requests.add(request);
        var f = answers.get(request.stage());
        if (f == null) throw new LlmException("scripted: no answer for stage " + request.stage());
        String text = f.apply(request.prompt());
        if (request.stream() != null) {
            int half = text.length() / 2;
            request.stream().accept(text.substring(0, half));
            request.stream().accept(text.substring(half));
        }
        return LlmResponse.text(text, request.prompt().length() / 4, text.length() / 4, 1000);
    }

    List<String> stages() { return requests.stream().map(LlmRequest::stage).toList(); }
}
