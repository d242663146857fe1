package org.crs4j.crs.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundled chat formats against prompts rendered by the real Hugging Face templates: ChatML and Llama 3 against
 * llama.cpp's tests/test-chat-template.cpp (its expected outputs for the conversation below, produced by those
 * templates), Zephyr and Llama 2 against the outputs of TinyLlama-1.1B-Chat-v1.0's and Llama-2-chat's templates as
 * transformers' apply_chat_template renders them (written out by hand from the templates, quoted below).
 */
class ChatFormatTest {

    /** llama.cpp's test conversation. */
    private static final List<ChatMessage> CONVERSATION = List.of(
            new ChatMessage("system", "You are a helpful assistant"),
            new ChatMessage("user", "Hello"),
            new ChatMessage("assistant", "Hi there"),
            new ChatMessage("user", "Who are you"),
            new ChatMessage("assistant", "   I am an assistant   "),
            new ChatMessage("user", "Another question"));

    @Test
    void chatmlMatchesTheOpenHermesTemplate() {
        assertEquals("<|im_start|>system\nYou are a helpful assistant<|im_end|>\n<|im_start|>user\nHello<|im_end|>\n"
                        + "<|im_start|>assistant\nHi there<|im_end|>\n<|im_start|>user\nWho are you<|im_end|>\n<|im_start|>assistant\n"
                        + "   I am an assistant   <|im_end|>\n<|im_start|>user\nAnother question<|im_end|>\n<|im_start|>assistant\n",
                ChatFormat.bundled("chatml").render(CONVERSATION));
    }

    @Test
    void llama3MatchesItsTemplateWithoutTheBosTheModelAdds() {
        assertEquals("<|start_header_id|>system<|end_header_id|>\n\nYou are a helpful assistant<|eot_id|><|start_header_id|>user"
                        + "<|end_header_id|>\n\nHello<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nHi there<|eot_id|>"
                        + "<|start_header_id|>user<|end_header_id|>\n\nWho are you<|eot_id|><|start_header_id|>assistant<|end_header_id|>"
                        + "\n\nI am an assistant<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nAnother question<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\n",
                ChatFormat.bundled("llama3").render(CONVERSATION));
    }

    /**
     * TinyLlama-1.1B-Chat-v1.0: {@code {% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\n'
     * + message['content'] + eos_token }}\n...{% if loop.last and add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif
     * %}\n{% endfor %}} rendered with trim_blocks and lstrip_blocks: each message followed by eos and a newline.
     */
    @Test
    void zephyrMatchesTinyLlamaChat() {
        assertEquals("<|system|>\nYou are a helpful assistant</s>\n<|user|>\nHello</s>\n<|assistant|>\nHi there</s>\n<|user|>\n"
                        + "Who are you</s>\n<|assistant|>\n   I am an assistant   </s>\n<|user|>\nAnother question</s>\n<|assistant|>\n",
                ChatFormat.bundled("zephyr").render(CONVERSATION));
    }

    /**
     * Llama-2-chat: the system message inside the first [INST] between {@code <<SYS>>} markers, content stripped, bos
     * before each user turn (the first one is the model's own BOS), {@code ' ' + answer + ' ' + eos} after each answer.
     */
    @Test
    void llama2MatchesLlama2Chat() {
        assertEquals("[INST] <<SYS>>\nYou are a helpful assistant\n<</SYS>>\n\nHello [/INST] Hi there </s><s>[INST] Who are you [/INST]"
                        + " I am an assistant </s><s>[INST] Another question [/INST]",
                ChatFormat.bundled("llama2").render(CONVERSATION));
        assertEquals("[INST] Hi [/INST]", ChatFormat.bundled("llama2").render(List.of(new ChatMessage("user", " Hi "))));
        // a lone system message still reaches the model
        assertEquals("[INST] <<SYS>>\nBe kind\n<</SYS>>\n\n [/INST]", ChatFormat.bundled("llama2").render(List.of(new ChatMessage("system", "Be kind"))));
    }

    @Test
    void plainLabelsTheLinesForBaseModels() {
        assertEquals("You are a helpful assistant\n\nUser: Hello\nAssistant: Hi there\nUser: Who are you\nAssistant: I am an assistant\n"
                + "User: Another question\nAssistant:", ChatFormat.bundled("plain").render(CONVERSATION));
        assertEquals(List.of("\nUser:"), ChatFormat.bundled("plain").stops());
    }

    @Test
    void rawPassesAFormattedPromptThroughUnchanged() {
        assertEquals("Recommend a movie.\nAnswer:", ChatFormat.bundled("raw").render(List.of(new ChatMessage("user", "Recommend a movie.\nAnswer:"))));
        assertEquals(List.of(), ChatFormat.bundled("raw").stops());
    }

    @Test
    void aShippedTemplateIsRecognisedOrRefused(@TempDir Path dir) throws IOException {
        assertEquals("plain", ChatFormat.forModel(dir).name()); // no template: plain
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": \"{% for message in messages %}{{'<|im_start|>'"
                + " + message['role'] + '\\\\n' + message['content'] + '<|im_end|>' + '\\\\n'}}{% endfor %}\"}");
        assertEquals("chatml", ChatFormat.forModel(dir).name());
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": \"{% for message in messages %}\\n{% if message['role']"
                + " == 'user' %}\\n{{ '<|user|>\\\\n' + message['content'] + eos_token }}\\n{% elif message['role'] == 'assistant' %}\\n"
                + "{{ '<|assistant|>\\\\n'  + message['content'] + eos_token }}\\n{% endif %}{% endfor %}\"}");
        assertEquals("zephyr", ChatFormat.forModel(dir).name());
        Files.writeString(dir.resolve("chat_template.jinja"), "{{ bos_token }}{% for m in messages %}<start_of_turn>{{ m.role }}{% endfor %}");
        IOException e = assertThrows(IOException.class, () -> ChatFormat.forModel(dir)); // the .jinja file wins, and is unknown
        assertTrue(e.getMessage().contains("--chat-format"), e.getMessage());
        Files.delete(dir.resolve("chat_template.jinja"));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": [{\"name\": \"default\", \"template\": "
                + "\"<|start_header_id|>x<|eot_id|>\"}, {\"name\": \"tool_use\", \"template\": \"<|im_start|>\"}]}");
        assertEquals("llama3", ChatFormat.forModel(dir).name());
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": 5}");
        assertTrue(assertThrows(IOException.class, () -> ChatFormat.forModel(dir)).getMessage().contains("chat_template"));
    }

    @Test
    void formatFilesAreCheckedFieldByField(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("mine.json");
        Files.writeString(f, "{\"about\": \"x\", \"recognize\": [], \"trim_content\": false, \"roles\": {\"system\": {\"prefix\": \"S:\","
                + " \"suffix\": \"|\"}, \"user\": {\"prefix\": \"U:\", \"suffix\": \"|\"}, \"assistant\": {\"prefix\": \"A:\", \"suffix\": \"|\"}},"
                + " \"generation_prompt\": \"A:\", \"stop\": [\"|\"]}");
        ChatFormat mine = ChatFormat.named(f.toString());
        assertEquals("mine", mine.name());
        assertEquals("U:hi|A:", mine.render(List.of(new ChatMessage("user", "hi"))));
        Files.writeString(f, "{\"recognize\": [], \"trim_content\": false, \"roles\": {\"user\": {\"prefix\": \"U\", \"suffix\": \"\"}},"
                + " \"generation_prompt\": \"\", \"stop\": []}");
        IOException e = assertThrows(IOException.class, () -> ChatFormat.named(f.toString()));
        assertTrue(e.getMessage().contains("mine.json") && e.getMessage().contains("roles"), e.getMessage());
        Files.writeString(f, "{\"recognize\": [], \"trim_content\": \"no\"}");
        e = assertThrows(IOException.class, () -> ChatFormat.named(f.toString()));
        assertTrue(e.getMessage().contains("trim_content"), e.getMessage());
        e = assertThrows(IOException.class, () -> ChatFormat.named(dir.resolve("none.json").toString()));
        assertTrue(e.getMessage().contains("--chat-format"), e.getMessage());
    }
}
