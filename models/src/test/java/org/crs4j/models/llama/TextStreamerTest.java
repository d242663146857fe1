package org.crs4j.models.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.crs4j.models.tokenizer.Tokenizer;
import org.crs4j.models.tokenizer.Tokenizers;
import org.junit.jupiter.api.Test;

/** Streaming text equals decoding the whole sequence, including multi-token (byte fallback) characters. */
class TextStreamerTest {

    @Test
    void streamedPiecesConcatenateToTheDecodedText() throws Exception {
        Tokenizer tok = Tokenizers.fromFile(SharedModels.stories260K().resolve("tok512.model"));
        for (String text : new String[] {"Once upon a time, there was a dog. \"Hi!\" she said.",
                "Émile ate a crêpe 🍰 in 東京 — twice.", "  two  spaces\nand a newline\tand tab"}) {
            int[] prompt = tok.encode("Lily", true, false);
            int[] ids = tok.encode(text);
            List<String> pieces = new ArrayList<>();
            TextStreamer s = new TextStreamer(tok, pieces::add, prompt);
            for (int id : ids) s.accept(id);
            s.flush();
            String streamed = String.join("", pieces);
            int[] all = new int[prompt.length + ids.length];
            System.arraycopy(prompt, 0, all, 0, prompt.length);
            System.arraycopy(ids, 0, all, prompt.length, ids.length);
            assertEquals(tok.decode(all), tok.decode(prompt) + streamed, text);
            assertTrue(pieces.stream().noneMatch(p -> p.contains("\uFFFD")), "a broken character was streamed: " + pieces);
        }
    }
}
