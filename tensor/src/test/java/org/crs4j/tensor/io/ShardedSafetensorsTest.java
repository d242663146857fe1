package org.crs4j.tensor.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardedSafetensorsTest {
    private static final String S1 = "model-00001-of-00002.safetensors", S2 = "model-00002-of-00002.safetensors";

    @TempDir Path dir;
    private Map<String, Tensor> shard1, shard2;

    @BeforeEach
    void writeShards() throws IOException {
        SplittableRandom rng = new SplittableRandom(11);
        shard1 = Map.of("embed.weight", TestFiles.random(DType.BF16, rng, 8, 4), "layers.0.w", TestFiles.random(DType.BF16, rng, 4, 4));
        shard2 = Map.of("layers.1.w", TestFiles.random(DType.BF16, rng, 4, 4), "norm.weight", TestFiles.random(DType.F32, rng, 4));
        SafetensorsWriter.write(dir.resolve(S1), shard1, Map.of("format", "pt"));
        SafetensorsWriter.write(dir.resolve(S2), shard2, Map.of("format", "pt"));
    }

    private Path index(String weightMap) throws IOException {
        Path p = dir.resolve(Safetensors.INDEX_FILE);
        Files.writeString(p, "{\n  \"metadata\": {\"total_size\": 144},\n  \"weight_map\": {" + weightMap + "}\n}\n");
        return p;
    }

    private static String entries(String... nameShard) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < nameShard.length; i += 2) {
            if (i > 0) sb.append(',');
            sb.append('"').append(nameShard[i]).append("\":\"").append(nameShard[i + 1]).append('"');
        }
        return sb.toString();
    }

    private String valid() {
        return entries("embed.weight", S1, "layers.0.w", S1, "layers.1.w", S2, "norm.weight", S2);
    }

    @Test
    void looksUpTensorsAcrossShards() throws IOException {
        Path idx = index(valid());
        try (Safetensors s = Safetensors.open(idx)) {
            ShardedSafetensors sharded = (ShardedSafetensors) s;
            assertEquals(Map.of("total_size", "144"), s.metadata());
            assertEquals(List.of("embed.weight", "layers.0.w", "layers.1.w", "norm.weight"),
                    s.tensors().stream().map(TensorInfo::name).toList());
            assertEquals(2, sharded.shards().size());
            assertEquals(Map.of("format", "pt"), sharded.shards().getFirst().metadata());
            assertEquals(idx.resolveSibling(S2), sharded.shardOf("norm.weight").path());
            for (var e : shard1.entrySet()) TestFiles.assertSameTensor(e.getValue(), s.tensor(e.getKey()));
            for (var e : shard2.entrySet()) TestFiles.assertSameTensor(e.getValue(), s.tensor(e.getKey()));
            assertEquals(DType.F32, s.info("norm.weight").dtype());
            assertEquals(8 * 4 + 16 + 16 + 4, s.parameterCount());
            assertEquals(2 * (32 + 16 + 16) + 4 * 4, s.byteSize());
            assertThrows(NoSuchElementException.class, () -> s.tensor("lm_head.weight"));
        }
        // The model folder opens through its index.
        try (Safetensors s = Safetensors.open(dir)) {
            assertTrue(s instanceof ShardedSafetensors);
        }
    }

    @Test
    void closeUnmapsEveryShard() throws IOException {
        Tensor a, b;
        try (Safetensors s = Safetensors.open(index(valid()))) {
            a = s.tensor("embed.weight");
            b = s.tensor("norm.weight");
        }
        assertThrows(IllegalStateException.class, () -> TestFiles.rawBytes(a));
        assertThrows(IllegalStateException.class, () -> TestFiles.rawBytes(b));
    }

    private SafetensorsFormatException rejected(String weightMap) throws IOException {
        Path idx = index(weightMap);
        return assertThrows(SafetensorsFormatException.class, () -> ShardedSafetensors.open(idx));
    }

    private static void assertSays(SafetensorsFormatException e, Path file, String tensor, String... fragments) {
        assertEquals(file, e.file(), e.getMessage());
        assertEquals(tensor, e.tensor(), e.getMessage());
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "no '" + f + "' in: " + e.getMessage());
    }

    @Test
    void aMissingShardIsNamed() throws IOException {
        SafetensorsFormatException e = rejected(valid().replace(S2, "model-00002-of-00003.safetensors"));
        assertSays(e, dir.resolve(Safetensors.INDEX_FILE), "layers.1.w", "model-00002-of-00003.safetensors", "does not exist",
                "2 tensor(s)");
    }

    @Test
    void anIndexedTensorMissingFromItsShard() throws IOException {
        SafetensorsFormatException e = rejected(valid() + "," + entries("lm_head.weight", S2));
        assertSays(e, dir.resolve(Safetensors.INDEX_FILE), "lm_head.weight", S2, "does not contain it");
    }

    @Test
    void aShardTensorTheIndexDoesNotList() throws IOException {
        SafetensorsFormatException e = rejected(entries("embed.weight", S1, "layers.0.w", S1, "layers.1.w", S2));
        assertSays(e, dir.resolve(Safetensors.INDEX_FILE), "norm.weight", S2, "does not list it");
    }

    @Test
    void aTensorMappedToTheWrongShard() throws IOException {
        // Both shards hold "dup"; the index says shard 1, so shard 2's copy contradicts it.
        SafetensorsWriter.write(dir.resolve(S1), Map.of("dup", Tensor.vector(1)));
        SafetensorsWriter.write(dir.resolve(S2), Map.of("dup", Tensor.vector(2), "other", Tensor.vector(3)));
        SafetensorsFormatException e = rejected(entries("dup", S1, "other", S2));
        assertSays(e, dir.resolve(Safetensors.INDEX_FILE), "dup", S2, "puts it in \"" + S1 + "\"");
    }

    @Test
    void aCorruptShardIsReportedAgainstTheShard() throws IOException {
        Files.write(dir.resolve(S2), new byte[] {1, 2, 3});
        SafetensorsFormatException e = rejected(valid());
        assertSays(e, dir.resolve(S2), null, "too short");
    }

    @Test
    void shardNamesMayNotLeaveTheFolder() throws IOException {
        Path outside = dir.getParent().resolve(dir.getFileName() + "-outside.safetensors");
        Files.copy(dir.resolve(S1), outside);
        try {
            SafetensorsFormatException e = rejected(valid().replace(S1, "../" + outside.getFileName()));
            assertSays(e, dir.resolve(Safetensors.INDEX_FILE), "embed.weight", "not a file inside the index's folder");
            assertSays(rejected(valid().replace(S1, "")), dir.resolve(Safetensors.INDEX_FILE), "embed.weight", "not a file inside");
            assertSays(rejected(valid().replace(S1, ".")), dir.resolve(Safetensors.INDEX_FILE), "embed.weight", "not a file inside");
        } finally {
            Files.delete(outside);
        }
    }

    @Test
    void malformedIndexes() throws IOException {
        Path idx = dir.resolve(Safetensors.INDEX_FILE);
        String[][] cases = {
            {"{\"metadata\":{}}", "weight_map: missing"},
            {"[]", "index is an array, not a JSON object"},
            {"{\"weight_map\":[]}", "weight_map: is an array"},
            {"{\"weight_map\":{\"a\":1}}", "tensor \"a\": weight_map: shard is an integer, not a file name"},
            {"{\"weight_map\":{\"a\":\"" + S1 + "\",\"a\":\"" + S1 + "\"}}", "tensor \"a\": weight_map: appears twice"},
            {"{\"weight_map\":{}", "index is not valid JSON at line 1"},
            {"{\"weight_map\":{},\"weight_map\":{}}", "weight_map: appears twice"},
            {"{\"metadata\":3,\"weight_map\":{}}", "metadata: is an integer, not an object"},
            {"{\"weight_map\":{}} []", "unexpected content after"},
        };
        for (String[] c : cases) {
            Files.writeString(idx, c[0]);
            SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> ShardedSafetensors.open(idx), c[0]);
            assertTrue(e.getMessage().startsWith(idx + ": "), e.getMessage());
            assertTrue(e.getMessage().contains(c[1]), "for " + c[0] + " expected '" + c[1] + "' in: " + e.getMessage());
        }
        Files.write(idx, new byte[] {'{', (byte) 0xff, '}'});
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> ShardedSafetensors.open(idx));
        assertTrue(e.getMessage().contains("index is not valid UTF-8"), e.getMessage());
    }

    @Test
    void indexMetadataKeepsNestedValuesAsJsonAndIgnoresUnknownKeys() throws IOException {
        Path idx = dir.resolve(Safetensors.INDEX_FILE);
        Files.writeString(idx, "{\"format_version\":[1,{\"x\":2}],\"metadata\":{\"total_size\":176,\"quant\":{\"bits\":4,\"groups\":[1,2]},"
                + "\"name\":\"m\",\"none\":null},\"weight_map\":{" + valid() + "}}");
        try (ShardedSafetensors s = ShardedSafetensors.open(idx)) {
            assertEquals("176", s.metadata().get("total_size"));
            assertEquals("{\"bits\":4,\"groups\":[1,2]}", s.metadata().get("quant"));
            assertEquals("m", s.metadata().get("name"));
            assertEquals("null", s.metadata().get("none"));
            assertSame(s.shardOf("embed.weight"), s.shardOf("layers.0.w"));
        }
    }

    @Test
    void anEmptyIndexIsAnEmptyCheckpoint() throws IOException {
        try (ShardedSafetensors s = ShardedSafetensors.open(index(""))) {
            assertTrue(s.tensors().isEmpty());
            assertTrue(s.shards().isEmpty());
        }
    }
}
