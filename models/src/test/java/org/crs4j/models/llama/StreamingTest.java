package org.crs4j.models.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.crs4j.models.generation.GenerationConfig;
import org.crs4j.models.tokenizer.DecodeStream;
import org.crs4j.models.tokenizer.Tokenizer;
import org.crs4j.models.tokenizer.Tokenizers;
import org.junit.jupiter.api.Test;

/** Streamed text: the pieces concatenate to the returned text, which continues the prompt with its leading space. */
class StreamingTest {

    @Test
    void streamedPiecesAreTheContinuationIncludingByteFallbackCharacters() throws Exception {
        Tokenizer tok = Tokenizers.fromFile(SharedModels.stories260K().resolve("tok512.model"));
        for (String text : new String[] {" loved to play. \"Hi!\" she said.", " ate a crêpe 🍰 in 東京 — twice.", "\n  two  spaces\tand tab"}) {
            int[] prompt = tok.encode("Lily", true, false), ids = tok.encode(text);
            // encode() adds SentencePiece's dummy-prefix space; decode the same ids after the prompt for the expected text
            int[] all = new int[prompt.length + ids.length];
            System.arraycopy(prompt, 0, all, 0, prompt.length);
            System.arraycopy(ids, 0, all, prompt.length, ids.length);
            String expected = tok.decode(all).substring(tok.decode(prompt).length());
            DecodeStream s = Llama.streamAfter(tok, prompt);
            StringBuilder streamed = new StringBuilder();
            for (int id : ids) {
                String piece = s.next(id);
                assertTrue(!piece.contains("\uFFFD"), "a broken character was streamed: " + piece);
                streamed.append(piece);
            }
            streamed.append(s.flush());
            assertEquals(expected, streamed.toString(), text);
        }
    }

    @Test
    void generateStreamsWhatItReturns() throws Exception {
        try (Llama llama = Llama.load(SharedModels.stories260K().resolve("hf"))) {
            List<String> pieces = new ArrayList<>();
            String text = llama.generate("Lily", GenerationConfig.greedy(40), pieces::add);
            assertEquals(text, String.join("", pieces));
            assertTrue(text.startsWith(" "), "the continuation keeps its leading space: '" + text + "'");
            assertTrue(pieces.size() > 10, pieces.toString());
        }
    }
}
