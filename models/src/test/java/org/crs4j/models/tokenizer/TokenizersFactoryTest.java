package org.crs4j.models.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Picking the tokenizer of a folder (documented precedence) and recognising files by content, not by name. */
class TokenizersFactoryTest {
    @TempDir
    Path dir;

    static byte[] llama2cBin(int maxLen) {
        ByteBuffer b = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN).putInt(maxLen);
        for (String t : new String[] {"<unk>", "\n<s>\n", "\n</s>\n", " ", "a", " a"}) {
            byte[] s = t.getBytes(StandardCharsets.UTF_8);
            b.putFloat(-s.length).putInt(s.length).put(s);
        }
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    @Test
    void folderPrecedence() throws IOException {
        Path json = Fixtures.resourcePath("json/tok512_legacy.json");
        Path model = Fixtures.resourcePath("spm/bpe_bytefallback.model");
        Files.write(dir.resolve("tokenizer.bin"), llama2cBin(6));
        assertInstanceOf(Llama2cTokenizer.class, Tokenizers.load(dir));
        Files.copy(model, dir.resolve("spiece.model"));
        assertEquals(dir.resolve("spiece.model"), Tokenizers.findTokenizerFile(dir));
        Files.copy(model, dir.resolve("tokenizer.model"));
        assertEquals(dir.resolve("tokenizer.model"), Tokenizers.findTokenizerFile(dir));
        Files.copy(json, dir.resolve("tokenizer.json"));
        assertEquals(dir.resolve("tokenizer.json"), Tokenizers.findTokenizerFile(dir));
        assertInstanceOf(HfTokenizer.class, Tokenizers.load(dir));
    }

    @Test
    void filesAreRecognisedByContent() throws IOException {
        Path a = dir.resolve("tokenizer.model"); // really llama2.c, whose max_token_length 10 starts like a protobuf
        Files.write(a, llama2cBin(10));
        Tokenizer t = Tokenizers.fromFile(a);
        assertInstanceOf(Llama2cTokenizer.class, t);
        assertEquals("a", t.decode(t.encode("a")));
        Path b = dir.resolve("vocab.bin"); // really SentencePiece
        Files.copy(Fixtures.resourcePath("spm/char.model"), b);
        assertInstanceOf(SentencePieceTokenizer.class, Tokenizers.fromFile(b));
        Path c = dir.resolve("weird.model"); // really tokenizer.json
        Files.writeString(c, "  \n{\"model\": {\"type\": \"WordLevel\", \"vocab\": {\"x\": 0}}}");
        assertInstanceOf(HfTokenizer.class, Tokenizers.fromFile(c));
    }
}
