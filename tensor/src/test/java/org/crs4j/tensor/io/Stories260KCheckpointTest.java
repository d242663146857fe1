package org.crs4j.tensor.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.cpu.Half;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real stories260K checkpoint in ../shared/models/stories260K (see its SOURCE.md): the F32 single file and the
 * BF16 sharded copy. Small (1 MB), so it runs with the fast tests; skipped, with the reason printed, when the shared
 * folder is absent.
 */
class Stories260KCheckpointTest {
    private static final int DIM = 64, HIDDEN = 172, LAYERS = 5, HEADS = 8, KV_HEADS = 4, VOCAB = 512, HEAD_DIM = 8;
    private static final float[] NO_FLOATS = new float[0];

    @TempDir Path tmp;

    static Path stories() {
        String shared = System.getProperty("crs4j.shared");
        Path dir = shared == null ? null : Path.of(shared, "models", "stories260K");
        if (dir == null || !Files.isRegularFile(dir.resolve("hf/model.safetensors"))) {
            String reason = "shared stories260K checkpoint not found (system property crs4j.shared=" + shared
                    + "); the shared folder sits beside the repository as ../shared";
            System.err.println("SKIPPED Stories260KCheckpointTest: " + reason);
            Assumptions.abort(reason);
        }
        return dir;
    }

    /** Names and shapes listed in SOURCE.md. */
    private static Map<String, long[]> expectedShapes() {
        Map<String, long[]> m = new TreeMap<>();
        m.put("model.embed_tokens.weight", new long[] {VOCAB, DIM});
        m.put("model.norm.weight", new long[] {DIM});
        for (int i = 0; i < LAYERS; i++) {
            String p = "model.layers." + i + ".";
            m.put(p + "input_layernorm.weight", new long[] {DIM});
            m.put(p + "post_attention_layernorm.weight", new long[] {DIM});
            m.put(p + "self_attn.q_proj.weight", new long[] {DIM, DIM});
            m.put(p + "self_attn.k_proj.weight", new long[] {KV_HEADS * HEAD_DIM, DIM});
            m.put(p + "self_attn.v_proj.weight", new long[] {KV_HEADS * HEAD_DIM, DIM});
            m.put(p + "self_attn.o_proj.weight", new long[] {DIM, DIM});
            m.put(p + "mlp.gate_proj.weight", new long[] {HIDDEN, DIM});
            m.put(p + "mlp.up_proj.weight", new long[] {HIDDEN, DIM});
            m.put(p + "mlp.down_proj.weight", new long[] {DIM, HIDDEN});
        }
        return m;
    }

    private static void assertLayout(Safetensors s, DType dtype) {
        Map<String, long[]> expected = expectedShapes();
        assertEquals(List.copyOf(expected.keySet()), s.tensors().stream().map(TensorInfo::name).toList());
        for (TensorInfo t : s.tensors()) {
            assertArrayEquals(expected.get(t.name()), t.shape(), t.name());
            assertEquals(dtype, t.dtype(), t.name());
        }
        assertFalse(s.contains("lm_head.weight"), "tied embeddings: there is no lm_head.weight");
        assertEquals(260_032, s.parameterCount()); // 264,128 floats in stories260K.bin minus 2 x 512 x 4 of freq_cis
    }

    @Test
    void f32FileHasTheDocumentedTensors() throws IOException {
        Path file = stories().resolve("hf/model.safetensors");
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(1_044_992, f.fileSize());
            assertEquals(Map.of("format", "pt"), f.metadata());
            assertLayout(f, DType.F32);
            assertEquals(260_032L * 4, f.byteSize());
        }
    }

    /** Every F32 weight equals the llama2.c export it was converted from (q/k rows permuted as SOURCE.md says). */
    @Test
    void f32WeightsEqualTheLlama2cCheckpoint() throws IOException {
        Path dir = stories();
        FloatBuffer bin = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("stories260K.bin"))).order(ByteOrder.LITTLE_ENDIAN)
                .position(28).slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] embed = take(bin, VOCAB * DIM), rmsAtt = take(bin, LAYERS * DIM), wq = take(bin, LAYERS * DIM * DIM),
                wk = take(bin, LAYERS * 32 * DIM), wv = take(bin, LAYERS * 32 * DIM), wo = take(bin, LAYERS * DIM * DIM),
                rmsFfn = take(bin, LAYERS * DIM), w1 = take(bin, LAYERS * HIDDEN * DIM), w2 = take(bin, LAYERS * DIM * HIDDEN),
                w3 = take(bin, LAYERS * HIDDEN * DIM), rmsFinal = take(bin, DIM);
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("hf/model.safetensors"))) {
            assertArrayEquals(embed, floats(f, "model.embed_tokens.weight"));
            assertArrayEquals(rmsFinal, floats(f, "model.norm.weight"));
            for (int l = 0; l < LAYERS; l++) {
                String p = "model.layers." + l + ".";
                assertArrayEquals(layer(rmsAtt, l, DIM), floats(f, p + "input_layernorm.weight"));
                assertArrayEquals(layer(rmsFfn, l, DIM), floats(f, p + "post_attention_layernorm.weight"));
                assertArrayEquals(layer(wv, l, 32 * DIM), floats(f, p + "self_attn.v_proj.weight"));
                assertArrayEquals(layer(wo, l, DIM * DIM), floats(f, p + "self_attn.o_proj.weight"));
                assertArrayEquals(layer(w1, l, HIDDEN * DIM), floats(f, p + "mlp.gate_proj.weight"));
                assertArrayEquals(layer(w2, l, DIM * HIDDEN), floats(f, p + "mlp.down_proj.weight"));
                assertArrayEquals(layer(w3, l, HIDDEN * DIM), floats(f, p + "mlp.up_proj.weight"));
                assertArrayEquals(permuteForRotateHalf(layer(wq, l, DIM * DIM), HEADS), floats(f, p + "self_attn.q_proj.weight"));
                assertArrayEquals(permuteForRotateHalf(layer(wk, l, 32 * DIM), KV_HEADS), floats(f, p + "self_attn.k_proj.weight"));
            }
        }
    }

    private static float[] take(FloatBuffer b, int n) {
        float[] out = new float[n];
        b.get(out);
        return out;
    }

    private static float[] layer(float[] all, int l, int size) {
        return Arrays.copyOfRange(all, l * size, (l + 1) * size);
    }

    /** llama2.c export.py: w.view(heads, head_dim/2, 2, dim).transpose(1, 2).reshape(heads*head_dim, dim). */
    private static float[] permuteForRotateHalf(float[] w, int heads) {
        float[] out = new float[w.length];
        int half = HEAD_DIM / 2;
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < half; i++) {
                for (int j = 0; j < 2; j++) {
                    int src = h * HEAD_DIM + i * 2 + j, dst = h * HEAD_DIM + j * half + i;
                    System.arraycopy(w, src * DIM, out, dst * DIM, DIM);
                }
            }
        }
        return out;
    }

    private static float[] floats(Safetensors s, String name) {
        return s.tensor(name).numel() == 0 ? NO_FLOATS : TestFiles.rawSegment(s.tensor(name)).toArray(ValueLayout.JAVA_FLOAT_UNALIGNED);
    }

    @Test
    void bf16ShardsHoldTheRoundToNearestEvenOfTheF32Weights() throws IOException {
        Path dir = stories();
        Path index = dir.resolve("hf-bf16-sharded/" + Safetensors.INDEX_FILE);
        try (SafetensorsFile f32 = SafetensorsFile.open(dir.resolve("hf/model.safetensors"));
             Safetensors bf16 = Safetensors.open(index)) {
            ShardedSafetensors sharded = (ShardedSafetensors) bf16;
            assertLayout(bf16, DType.BF16);
            assertEquals("520064", bf16.metadata().get("total_size"));
            assertEquals(520_064, bf16.byteSize());
            assertEquals(List.of(341_112L, 183_856L), sharded.shards().stream().map(SafetensorsFile::fileSize).toList());
            for (TensorInfo t : bf16.tensors()) {
                String name = t.name();
                boolean firstShard = name.equals("model.embed_tokens.weight") || name.matches("model\\.layers\\.[012]\\..*");
                assertEquals(firstShard ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors",
                        sharded.shardOf(name).path().getFileName().toString(), name);
            }
            long elements = 0, roundedUp = 0;
            for (TensorInfo t : f32.tensors()) {
                MemorySegment src = TestFiles.rawSegment(f32.tensor(t.name()));
                MemorySegment dst = TestFiles.rawSegment(bf16.tensor(t.name()));
                for (long i = 0; i < t.numel(); i++) {
                    int bits = src.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i);
                    short expected = roundToNearestEven(bits);
                    short actual = dst.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i);
                    if (expected != actual) {
                        throw new AssertionError(t.name() + "[" + i + "]: F32 " + Float.intBitsToFloat(bits) + " (0x"
                                + Integer.toHexString(bits) + ") should be BF16 0x" + Integer.toHexString(expected & 0xffff)
                                + " but the shard holds 0x" + Integer.toHexString(actual & 0xffff));
                    }
                    assertEquals(expected, Half.floatToBf16(Float.intBitsToFloat(bits))); // crs4j's converter agrees
                    if ((expected & 0xffff) != bits >>> 16) roundedUp++;
                    elements++;
                }
            }
            assertEquals(260_032, elements);
            assertTrue(roundedUp > 10_000, "rounding and truncation barely differ here: " + roundedUp); // the check discriminates
        }
    }

    /** Independent of Half: round the upper 16 bits by the lower 16, ties to even. The weights hold no NaN. */
    private static short roundToNearestEven(int bits) {
        assertFalse(Float.isNaN(Float.intBitsToFloat(bits)));
        int upper = bits >>> 16, lower = bits & 0xffff;
        if (lower > 0x8000 || (lower == 0x8000 && (upper & 1) == 1)) upper++;
        return (short) upper;
    }

    /** Our writer, given what we read, reproduces the reference writer's files byte for byte. */
    @Test
    void rewritingTheFilesReproducesThemByteForByte() throws IOException {
        Path dir = stories();
        List<Path> files = List.of(dir.resolve("hf/model.safetensors"),
                dir.resolve("hf-bf16-sharded/model-00001-of-00002.safetensors"),
                dir.resolve("hf-bf16-sharded/model-00002-of-00002.safetensors"));
        for (Path original : files) {
            Path copy = tmp.resolve(original.getFileName());
            try (SafetensorsFile f = SafetensorsFile.open(original)) {
                Map<String, Tensor> all = new LinkedHashMap<>();
                for (TensorInfo t : f.tensors()) all.put(t.name(), f.tensor(t.name()));
                SafetensorsWriter.write(copy, all, f.metadata());
            }
            assertArrayEquals(Files.readAllBytes(original), Files.readAllBytes(copy), original.toString());
        }
    }
}
