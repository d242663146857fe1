package org.crs4j.models.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.crs4j.autograd.GradMode;
import org.crs4j.io.testing.Fuzz;
import org.crs4j.io.testing.Mutators;
import org.crs4j.models.generation.Generation;
import org.crs4j.models.generation.GenerationLimitException;
import org.crs4j.models.llama.Llama;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The llama2.c family: a tiny checkpoint (version 0 or 1, shared or unshared classifier) and its tokenizer.bin, with
 * header fields overwritten by extreme values, bits flipped, bytes cut or inserted. Each pair is loaded as
 * {@code crs4j generate --model X.bin --tokenizer tokenizer.bin} loads it and, when accepted, generates three tokens.
 */
class Llama2cFuzzTest {
    static final int DIM = 8, HIDDEN = 12, LAYERS = 2, HEADS = 2, KV_HEADS = 1, SEQ = 16, MERGES = 13;
    static final int VOCAB = 3 + 256 + MERGES;

    @TempDir Path work;

    static void read(Path folder) throws IOException {
        try (Llama llama = Llama.load(folder.resolve("model.bin"), folder.resolve("tokenizer.bin")); var off = GradMode.off()) {
            int[] prompt = llama.encodePrompt("ab ba");
            try {
                Generation.generate(llama.decoder(), new int[][] {prompt}, llama.defaults().withMaxNewTokens(3), null);
            } catch (GenerationLimitException tooLong) {
                // a tiny seq_len: refused with the numbers before any work
            }
        }
    }

    /** A llama2.c checkpoint of random weights, laid out as run.c reads it (version 0) or export.py writes version 1. */
    static byte[] checkpoint(SplittableRandom rng, int version, boolean shared) {
        int headSize = DIM / HEADS, kvDim = KV_HEADS * headSize;
        long floats = (long) VOCAB * DIM + LAYERS * DIM + 2L * LAYERS * DIM * DIM + 2L * LAYERS * kvDim * DIM + LAYERS * DIM
                + 3L * LAYERS * HIDDEN * DIM + DIM + (version == 0 ? (long) SEQ * headSize : 0) + (shared ? 0 : (long) VOCAB * DIM);
        int header = version == 0 ? 28 : 256;
        ByteBuffer b = ByteBuffer.allocate(header + (int) floats * 4).order(ByteOrder.LITTLE_ENDIAN);
        if (version == 1) b.putInt(0x616b3432).putInt(1);
        b.putInt(DIM).putInt(HIDDEN).putInt(LAYERS).putInt(HEADS).putInt(KV_HEADS).putInt(version == 0 && !shared ? -VOCAB : VOCAB).putInt(SEQ);
        if (version == 1) b.put((byte) (shared ? 1 : 0));
        b.position(header);
        for (long i = 0; i < floats; i++) b.putFloat((float) rng.nextGaussian(0, 0.3));
        return b.array();
    }

    /** A llama2.c tokenizer.bin: &lt;unk&gt;, &lt;s&gt;, &lt;/s&gt;, the 256 byte tokens, then a few merges. */
    static byte[] tokenizer() {
        String[] merges = {" ", "a", "b", " a", " b", "ab", "ba", " ab", " ba", "aa", "bb", "abab", " abab"};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        out.write(b.putInt(0, 8).array(), 0, 4);
        String[] specials = {"<unk>", "\n<s>\n", "\n</s>\n"};
        for (int i = 0; i < VOCAB; i++) {
            String text = i < 3 ? specials[i] : i < 259 ? String.format("<0x%02X>", i - 3) : merges[i - 259];
            byte[] t = text.getBytes(StandardCharsets.UTF_8);
            ByteBuffer e = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(i < 259 ? 0 : -(i - 259)).putInt(t.length);
            out.writeBytes(e.array());
            out.writeBytes(t);
        }
        return out.toByteArray();
    }

    static Map<String, byte[]> variant(SplittableRandom rng) {
        byte[] model = checkpoint(rng, rng.nextInt(2), rng.nextBoolean()), tok = tokenizer();
        int what = rng.nextInt(10);
        if (what < 6) model = rng.nextBoolean() ? Mutators.overwriteInt(model, rng) : Mutators.bytes(model, rng);
        else if (what < 9) tok = Mutators.bytes(tok, rng);
        else {
            model = Mutators.overwriteInt(model, rng);
            tok = Mutators.bytes(tok, rng);
        }
        Map<String, byte[]> v = new LinkedHashMap<>();
        v.put("model.bin", model);
        v.put("tokenizer.bin", tok);
        return v;
    }

    @Test
    void seedsLoadAndGenerate() throws Exception {
        SplittableRandom rng = new SplittableRandom(1);
        for (int version : new int[] {0, 1}) {
            for (boolean shared : new boolean[] {true, false}) {
                Path dir = work.resolve("seed" + version + shared);
                Fuzz.write(dir, Map.of("model.bin", checkpoint(rng, version, shared), "tokenizer.bin", tokenizer()));
                read(dir);
            }
        }
    }

    @Test
    void mutatedCheckpointsAndTokenizersAreUsedOrRefusedNamingTheFile() throws IOException {
        Fuzz.Summary s = new Fuzz("llama2c", Llama2cFuzzTest::read).run(20261209L, 600, Duration.ofSeconds(60), work,
                Llama2cFuzzTest::variant);
        System.out.println(s + " " + s.reasons());
        assertEquals(List.of(), s.failures());
        s.requireBothOutcomes(100);
    }

    @Test
    void corpusOfEarlierFindings() throws Exception {
        var url = Llama2cFuzzTest.class.getResource("/org/crs4j/models/fuzz-corpus/llama2c");
        if (url == null) throw new AssertionError("no corpus for llama2c");
        assertEquals(List.of(), new Fuzz("llama2c", Llama2cFuzzTest::read).replay(Path.of(url.toURI()), work));
    }
}
