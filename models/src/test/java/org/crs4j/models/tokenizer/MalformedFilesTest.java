package org.crs4j.models.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broken tokenizer files: each gets a TokenizerFormatException that names the file and says what is wrong where. */
class MalformedFilesTest {
    @TempDir
    Path dir;

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private void assertSpmError(byte[] bytes, String... expected) throws IOException {
        Path p = write("bad.model", bytes);
        TokenizerFormatException e = assertThrows(TokenizerFormatException.class, () -> SentencePieceTokenizer.load(p));
        assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
        for (String s : expected) assertTrue(e.getMessage().contains(s), () -> "\"" + s + "\" not in: " + e.getMessage());
    }

    @Test
    void minimalModelsLoadAndEncode() throws IOException {
        SentencePieceTokenizer t = SentencePieceTokenizer.load(write("ok.model", ProtoWriter.minimalBpe(false).bytes()));
        // "▁a▁b▁ab": "ab" (score -3) merges before "▁a" (-5); "▁b" and "▁ab" are not pieces.
        assertArrayEquals(new int[] {7, 6, 4, 6, 5}, t.encode("a b ab"));
        assertEquals("a b ab", t.decode(t.encode("a b ab")));
        SentencePieceTokenizer bf = SentencePieceTokenizer.load(write("bf.model", ProtoWriter.minimalBpe(true).bytes()));
        assertEquals("a é", bf.decode(bf.encode("a é")));
    }

    @Test
    void sentencePieceWireFormatErrors() throws IOException {
        assertSpmError(new byte[] {0x0A, (byte) 0xFF}, "truncated varint", "byte 1");
        assertSpmError(new byte[] {0x0F}, "bad wire type 7", "field 1", "byte 0");
        assertSpmError(new byte[] {0x0A, 0x05, 0x01}, "length 5", "runs past the end", "1 bytes left");
        assertSpmError(new ProtoWriter().raw(0x0A).raw(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01).bytes(),
                "varint longer than 10 bytes");
        assertSpmError(new ProtoWriter().tag(9, 3).varintField(1, 5).bytes(), "group of field 9", "has no end");
        assertSpmError(new ProtoWriter().tag(9, 4).bytes(), "unexpected end of group");
        // A float score sent as a varint, and a score cut short.
        assertSpmError(new ProtoWriter().bytesField(1, new ProtoWriter().stringField(1, "a").varintField(2, 3).bytes()).bytes(),
                "score", "wire type 0");
        assertSpmError(new ProtoWriter().bytesField(1, new ProtoWriter().stringField(1, "a").tag(2, 5).raw(1, 2).bytes()).bytes(),
                "truncated fixed32");
    }

    @Test
    void sentencePieceContentErrors() throws IOException {
        byte[] trainer = new ProtoWriter().bytesField(2, new ProtoWriter().varintField(3, 2).bytes()).bytes();
        assertSpmError(trainer, "no pieces");
        assertSpmError(new byte[0], "no pieces");
        assertSpmError(new ProtoWriter().bytesField(1, ProtoWriter.piece("", 0, 1)).bytes(), "piece 0 is empty");
        assertSpmError(new ProtoWriter().bytesField(1, ProtoWriter.piece("<unk>", 0, 2)).bytesField(1, ProtoWriter.piece("a", 0, 1))
                .bytesField(1, ProtoWriter.piece("a", 0, 1)).bytes(), "piece 2 \"a\" is already defined");
        assertSpmError(new ProtoWriter().bytesField(1, ProtoWriter.piece("a", 0, 1)).bytes(), "no piece has type UNKNOWN");
        assertSpmError(new ProtoWriter().bytesField(1, ProtoWriter.piece("<unk>", 0, 2)).bytesField(1, ProtoWriter.piece("x", 0, 2)).bytes(),
                "unknown piece defined twice");
        assertSpmError(new ProtoWriter().bytesField(1, ProtoWriter.piece("<unk>", 0, 2)).bytesField(1, ProtoWriter.piece("<0x41>", 0, 6)).bytes(),
                "byte piece <0x41>", "byte_fallback is false");
        assertSpmError(new ProtoWriter().bytesField(1, ProtoWriter.piece("<unk>", 0, 2)).bytesField(1, ProtoWriter.piece("<0x41>", 0, 6))
                .bytesField(2, new ProtoWriter().varintField(35, 1).bytes()).bytes(), "byte_fallback is true", "<0x00>");
        assertSpmError(new ProtoWriter().bytesField(1, ProtoWriter.piece("<unk>", 0, 9)).bytes(), "piece 0 has unknown type 9");
        assertSpmError(new ProtoWriter().bytesField(1, ProtoWriter.piece("<unk>", 0, 2))
                .bytesField(2, new ProtoWriter().varintField(3, 7).bytes()).bytes(), "model_type 7");
        byte[] charsmap = {(byte) 0xFF, 0, 0, 0, 1, 2};
        assertSpmError(new ProtoWriter().bytesField(1, ProtoWriter.piece("<unk>", 0, 2))
                .bytesField(3, new ProtoWriter().bytesField(2, charsmap).bytes()).bytes(), "precompiled_charsmap is broken", "trie size 255");
    }

    /** Random truncations and byte flips of a real model: the only failure allowed is a TokenizerFormatException. */
    @Test
    void mutatedModelsFailCleanly() throws IOException {
        byte[] good = Files.readAllBytes(Fixtures.resourcePath("spm/unigram_rules.model"));
        Random rnd = new Random(42);
        int loaded = 0, rejected = 0;
        for (int trial = 0; trial < 400; trial++) {
            byte[] b = good.clone();
            if (trial % 2 == 0) b = java.util.Arrays.copyOf(b, rnd.nextInt(b.length));
            for (int k = rnd.nextInt(4); k >= 0 && b.length > 0; k--) b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
            Path p = write("m" + trial + ".model", b);
            try {
                Tokenizer t = SentencePieceTokenizer.load(p);
                t.decode(t.encode("abc  Ｈello wörld 123 日本 ☃"));
                loaded++;
            } catch (TokenizerFormatException e) {
                assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
                rejected++;
            }
        }
        System.out.println("mutated models: " + loaded + " still valid, " + rejected + " rejected with a clear error");
        assertTrue(rejected > 100 && loaded > 10, loaded + " / " + rejected);
    }

    private static byte[] llama2cBin(int maxLen, String... tokens) {
        ByteBuffer b = ByteBuffer.allocate(4 + tokens.length * 64).order(ByteOrder.LITTLE_ENDIAN).putInt(maxLen);
        for (String t : tokens) {
            byte[] s = t.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            b.putFloat(0).putInt(s.length).put(s);
        }
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    @Test
    void llama2cErrors() throws IOException {
        Path ok = write("ok.bin", llama2cBin(5, "<unk>", "\n<s>\n", "\n</s>\n".substring(0, 5), " ", "a"));
        assertEquals(5, Llama2cTokenizer.load(ok).vocabSize());
        TokenizerFormatException e = assertThrows(TokenizerFormatException.class, () -> Llama2cTokenizer.load(write("s.bin", new byte[] {1, 0})));
        assertTrue(e.getMessage().contains("too short") && e.getMessage().contains("s.bin"), e.getMessage());
        e = assertThrows(TokenizerFormatException.class, () -> Llama2cTokenizer.load(write("z.bin", new byte[] {0, 0, 0, 0})));
        assertTrue(e.getMessage().contains("max_token_length 0"), e.getMessage());
        byte[] full = llama2cBin(5, "<unk>", "<s>", "</s>", "abc");
        e = assertThrows(TokenizerFormatException.class, () -> Llama2cTokenizer.load(write("t.bin", java.util.Arrays.copyOf(full, full.length - 5))));
        assertTrue(e.getMessage().contains("token 3") && e.getMessage().contains("truncated"), e.getMessage());
        e = assertThrows(TokenizerFormatException.class, () -> Llama2cTokenizer.load(write("l.bin", java.util.Arrays.copyOf(full, full.length - 1))));
        assertTrue(e.getMessage().contains("token 3") && e.getMessage().contains("only 2 bytes are left"), e.getMessage());
        e = assertThrows(TokenizerFormatException.class, () -> Llama2cTokenizer.load(write("m.bin", llama2cBin(2, "<unk>", "<s>", "</s>", "abc"))));
        assertTrue(e.getMessage().contains("length 5") || e.getMessage().contains("more than max_token_length 2"), e.getMessage());
        e = assertThrows(TokenizerFormatException.class, () -> Llama2cTokenizer.load(write("f.bin", llama2cBin(5, "<unk>"))));
        assertTrue(e.getMessage().contains("holds 1 tokens"), e.getMessage());
    }

    private void assertJsonError(String json, String... expected) throws IOException {
        Path p = write("tokenizer.json", json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        TokenizerFormatException e = assertThrows(TokenizerFormatException.class, () -> HfTokenizer.load(p));
        assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
        for (String s : expected) assertTrue(e.getMessage().contains(s), () -> "\"" + s + "\" not in: " + e.getMessage());
    }

    @Test
    void tokenizerJsonErrors() throws IOException {
        assertJsonError("{\"model\": {\"type\": \"BPE\",", "invalid JSON", "line 1");
        assertJsonError("[1, 2]", "expected a JSON object");
        assertJsonError("{}", "model: missing");
        assertJsonError("{\"model\": {\"type\": \"Magic\"}}", "model.type", "unsupported model \"Magic\"");
        String vocab = "\"vocab\": {\"a\": 0, \"b\": 1, \"ab\": 2}";
        assertJsonError("{\"model\": {\"type\": \"BPE\", " + vocab + ", \"merges\": [\"a c\"]}}", "model.merges[0]", "\"c\" is not in the vocabulary");
        assertJsonError("{\"model\": {\"type\": \"BPE\", " + vocab + ", \"merges\": [\"a b c\"]}}", "model.merges[0]", "not two tokens");
        assertJsonError("{\"model\": {\"type\": \"BPE\", " + vocab + ", \"merges\": [[\"b\", \"a\"]]}}", "merged token \"ba\"");
        assertJsonError("{\"model\": {\"type\": \"BPE\", " + vocab + ", \"merges\": [], \"unk_token\": \"<unk>\"}}", "model.unk_token");
        assertJsonError("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": -1}, \"merges\": []}}", "model.vocab[\"a\"]");
        assertJsonError("{\"model\": {\"type\": \"Unigram\", \"vocab\": [[\"a\"]]}}", "model.vocab[0]", "[token, score]");
        String model = "\"model\": {\"type\": \"BPE\", " + vocab + ", \"merges\": []}";
        assertJsonError("{" + model + ", \"pre_tokenizer\": {\"type\": \"Split\", \"pattern\": {\"Regex\": \"(a\"}, \"behavior\": \"Isolated\"}}",
                "pre_tokenizer.pattern.Regex", "invalid regular expression");
        assertJsonError("{" + model + ", \"normalizer\": {\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"Bogus\"}]}}",
                "normalizer.normalizers[0].type", "unsupported normalizer \"Bogus\"");
        assertJsonError("{" + model + ", \"decoder\": {\"type\": \"Fancy\"}}", "decoder.type", "unsupported decoder");
        assertJsonError("{" + model + ", \"pre_tokenizer\": {\"type\": \"Split\", \"pattern\": {\"Regex\": \"a\"}, \"behavior\": \"Sideways\"}}",
                "pre_tokenizer.behavior", "Sideways");
        assertJsonError("{" + model + ", \"added_tokens\": [{\"content\": \"<s>\"}]}", "added_tokens[0].id");
        assertJsonError("{" + model + ", \"normalizer\": {\"type\": \"Precompiled\", \"precompiled_charsmap\": \"%%%\"}}",
                "normalizer.precompiled_charsmap", "base64");
    }

    @Test
    void factoryErrors() throws IOException {
        Path empty = write("empty.model", new byte[0]);
        TokenizerFormatException e = assertThrows(TokenizerFormatException.class, () -> Tokenizers.fromFile(empty));
        assertTrue(e.getMessage().contains("empty file"), e.getMessage());
        Path folder = Files.createDirectory(dir.resolve("model"));
        e = assertThrows(TokenizerFormatException.class, () -> Tokenizers.load(folder));
        assertTrue(e.getMessage().contains("no tokenizer found") && e.getMessage().contains("tokenizer.json"), e.getMessage());
        assertThrows(java.nio.file.NoSuchFileException.class, () -> Tokenizers.load(dir.resolve("nope.json")));
    }

    @Test
    void idsOutsideTheVocabularyAreRejected() throws IOException {
        Tokenizer t = SentencePieceTokenizer.load(write("ok.model", ProtoWriter.minimalBpe(false).bytes()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.decode(new int[] {1, 99}));
        assertTrue(e.getMessage().contains("99") && e.getMessage().contains("ok.model"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> t.piece(-1));
    }
}
