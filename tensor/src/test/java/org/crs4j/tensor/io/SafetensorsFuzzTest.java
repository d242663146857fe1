package org.crs4j.tensor.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.cpu.CpuStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random mutations of valid files (bit flips, truncation, JSON token and text edits, wrong lengths, extra or
 * missing data): opening either succeeds with a self-consistent layout or fails with SafetensorsFormatException;
 * nothing else (NullPointerException, IndexOutOfBounds, OutOfMemoryError, raw Jackson exceptions...) may escape.
 */
class SafetensorsFuzzTest {
    private static final long SEED = 20261121L;
    private static final int FILE_ITERATIONS = 4000;
    private static final int INDEX_ITERATIONS = 1000;

    private static final String[] REPLACEMENTS = {
        "-1", "0", "1", "2", "3", "7", "8", "16", "4294967296", "9223372036854775807", "9223372036854775808",
        "18446744073709551616", "1.5", "1e3", "-0", "\"F32\"", "\"BF16\"", "\"F16\"", "\"U8\"", "\"F8\"", "\"I64\"",
        "\"BOOL\"", "\"\"", "null", "true", "[]", "{}", "[0,0]", "[1,2,3]", "[0]", "[-1,4]", "[4294967296,4294967296]",
        "\"__metadata__\"", "{\"a\":1}", "\"dtype\"", "\"shape\"", "\"data_offsets\""};
    private static final String NOISE = "{}[],:\"0123456789-.eE \\a_\u00e9\u0000";
    private static final Pattern TOKEN = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|-?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?|true|false|null");

    @TempDir Path dir;

    @Test
    void mutatedFilesFailOnlyWithSafetensorsFormatException() throws IOException {
        SplittableRandom rng = new SplittableRandom(SEED);
        List<byte[]> seeds = seedFiles(rng);
        Path file = dir.resolve("fuzz.safetensors");
        int[] accepted = new int[7], rejected = new int[7];
        for (int i = 0; i < FILE_ITERATIONS; i++) {
            byte[] base = seeds.get(rng.nextInt(seeds.size()));
            int kind = rng.nextInt(7);
            byte[] input = kind == 6 ? mutate(rng.nextInt(6), mutate(rng.nextInt(6), base, rng), rng) : mutate(kind, base, rng);
            try {
                // Validation runs on the bytes in memory (fast); accepted inputs, and every 8th rejected one, also go
                // through a real file, mapping and tensor() to check that path agrees.
                String problem = null;
                try {
                    SafetensorsHeader.parse(file, MemorySegment.ofArray(input));
                } catch (SafetensorsFormatException e) {
                    assertTrue(e.getMessage().startsWith(file + ": ") && !e.getMessage().contains("\n"), e.getMessage());
                    problem = e.getMessage();
                }
                if (problem == null || i % 8 == 0) {
                    Files.write(file, input);
                    try (SafetensorsFile f = SafetensorsFile.open(file)) {
                        assertEquals(null, problem, "accepted from a file but rejected in memory");
                        exercise(f, input.length);
                    } catch (SafetensorsFormatException e) {
                        assertEquals(problem, e.getMessage());
                    }
                }
                if (problem == null) accepted[kind]++;
                else rejected[kind]++;
            } catch (Throwable t) {
                fail("iteration " + i + " (mutation " + kind + ", seed " + SEED + ") let " + t + " escape on " + describe(input), t);
            }
        }
        System.out.println("file fuzz: accepted " + Arrays.toString(accepted) + ", rejected " + Arrays.toString(rejected)
                + " by mutation kind (bit flip, truncate, JSON tokens, JSON text, length field, data size, two at once)");
        // The mutations must actually reach both outcomes, or the test proves nothing.
        for (int k = 0; k < 6; k++) assertTrue(rejected[k] > 0, "mutation " + k + " was never rejected");
        assertTrue(Arrays.stream(accepted).sum() > 20, "almost nothing was accepted: " + Arrays.toString(accepted));
    }

    @Test
    void mutatedIndexesFailOnlyWithSafetensorsFormatException() throws IOException {
        SplittableRandom rng = new SplittableRandom(SEED + 1);
        Map<String, Tensor> all = new TreeMap<>();
        for (int i = 0; i < 6; i++) all.put("layer." + i + ".w", TestFiles.random(DType.BF16, rng, 3, 2));
        Map<String, String> weightMap = new LinkedHashMap<>();
        Map<String, Tensor> s1 = new TreeMap<>(), s2 = new TreeMap<>();
        all.forEach((k, v) -> {
            boolean first = k.compareTo("layer.3") < 0;
            (first ? s1 : s2).put(k, v);
            weightMap.put(k, first ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors");
        });
        SafetensorsWriter.write(dir.resolve("model-00001-of-00002.safetensors"), s1);
        SafetensorsWriter.write(dir.resolve("model-00002-of-00002.safetensors"), s2);
        Files.createDirectory(dir.resolve("sub"));
        StringBuilder json = new StringBuilder("{\"metadata\":{\"total_size\":72,\"note\":[1,{\"a\":null}]},\"weight_map\":{");
        weightMap.forEach((k, v) -> json.append('"').append(k).append("\":\"").append(v).append("\","));
        json.setLength(json.length() - 1);
        json.append("}}");
        Path index = dir.resolve(Safetensors.INDEX_FILE);
        Files.writeString(index, json);
        try (ShardedSafetensors s = ShardedSafetensors.open(index)) {
            assertEquals(6, s.tensors().size());
        }
        int accepted = 0, rejected = 0;
        for (int i = 0; i < INDEX_ITERATIONS; i++) {
            String mutated = rng.nextBoolean() ? editTokens(json.toString(), rng) : editText(json.toString(), rng);
            byte[] bytes = mutated.getBytes(StandardCharsets.UTF_8);
            if (rng.nextInt(10) == 0) bytes[rng.nextInt(bytes.length)] ^= (byte) (1 << rng.nextInt(8));
            Files.write(index, bytes);
            try (ShardedSafetensors s = ShardedSafetensors.open(index)) {
                for (TensorInfo t : s.tensors()) s.tensor(t.name());
                accepted++;
            } catch (SafetensorsFormatException e) {
                assertTrue(e.getMessage().startsWith(index + ": ") || e.getMessage().contains(".safetensors: "), e.getMessage());
                rejected++;
            } catch (Throwable t) {
                fail("index iteration " + i + " (seed " + SEED + ") let " + t + " escape on " + new String(bytes, StandardCharsets.UTF_8), t);
            }
        }
        System.out.println("index fuzz: " + accepted + " accepted, " + rejected + " rejected");
        assertTrue(accepted > 0 && rejected > 0, accepted + " accepted, " + rejected + " rejected");
    }

    /** Reads every tensor of an accepted file and checks that its layout is what the format promises. */
    private static void exercise(SafetensorsFile f, long fileSize) {
        long covered = 0;
        for (TensorInfo t : f.tensors()) {
            covered += t.byteSize();
            assertEquals(t.numel() * t.dtype().byteSize(), t.byteSize());
            assertTrue(8 + f.headerLength() + t.end() <= fileSize);
            Tensor tensor;
            try {
                tensor = f.tensor(t.name());
            } catch (IllegalArgumentException tooBig) {
                assertTrue(t.intShape() == null, "tensor() refused a shape that fits: " + t);
                continue;
            }
            CpuStorage s = (CpuStorage) tensor.storage();
            if (tensor.numel() > 0) {
                s.getDouble(0);
                s.getDouble(tensor.numel() - 1);
            }
        }
        assertEquals(fileSize - 8 - f.headerLength(), covered, "tensors do not tile the data section");
    }

    private static List<byte[]> seedFiles(SplittableRandom rng) throws IOException {
        Path tmp = Files.createTempFile("seed", ".safetensors");
        try {
            List<byte[]> out = new ArrayList<>();
            Map<String, Tensor> mixed = new LinkedHashMap<>();
            for (DType t : DType.values()) if (t.safetensorsName() != null) mixed.put("w." + t, TestFiles.random(t, rng, 2, 3));
            mixed.put("scalar", TestFiles.random(DType.F32, rng));
            mixed.put("empty", TestFiles.random(DType.I64, rng, 0, 5));
            out.add(seed(tmp, mixed, Map.of("format", "pt", "note", "fuzz seed")));
            out.add(seed(tmp, Map.of("model.embed_tokens.weight", TestFiles.random(DType.BF16, rng, 16, 8),
                    "model.norm.weight", TestFiles.random(DType.BF16, rng, 8)), Map.of("format", "pt")));
            out.add(seed(tmp, Map.of("x", TestFiles.random(DType.F32, rng, 40)), Map.of()));
            out.add(seed(tmp, Map.of(), Map.of("only", "metadata")));
            return out;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static byte[] seed(Path tmp, Map<String, Tensor> tensors, Map<String, String> meta) throws IOException {
        SafetensorsWriter.write(tmp, tensors, meta);
        return Files.readAllBytes(tmp);
    }

    // ------------------------------------------------------------------ mutations

    private static byte[] mutate(int kind, byte[] base, SplittableRandom rng) {
        if (base.length < 8) return base.clone();
        long declared = headerLength(base);
        int n = declared < 0 || declared > base.length - 8L ? base.length - 8 : (int) declared;
        String header = new String(base, 8, n, StandardCharsets.UTF_8);
        byte[] data = Arrays.copyOfRange(base, 8 + n, base.length);
        return switch (kind) {
            case 0 -> flipBits(base, n, rng);
            case 1 -> Arrays.copyOf(base, rng.nextInt(base.length));
            case 2 -> rebuild(editTokens(header, rng), data, rng);
            case 3 -> rebuild(editText(header, rng), data, rng);
            case 4 -> withLength(base, randomLength(base.length, n, rng));
            default -> {
                byte[] d = rng.nextBoolean() ? Arrays.copyOf(data, data.length + 1 + rng.nextInt(16))
                        : Arrays.copyOf(data, Math.max(0, data.length - 1 - rng.nextInt(16)));
                yield rebuild(header, d, rng);
            }
        };
    }

    private static long headerLength(byte[] file) {
        return ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    }

    private static byte[] flipBits(byte[] base, int headerLength, SplittableRandom rng) {
        byte[] out = base.clone();
        int flips = 1 + rng.nextInt(8);
        for (int i = 0; i < flips; i++) {
            int limit = rng.nextInt(10) < 8 ? Math.min(out.length, 8 + headerLength) : out.length;
            out[rng.nextInt(limit)] ^= (byte) (1 << rng.nextInt(8));
        }
        return out;
    }

    private static String editTokens(String header, SplittableRandom rng) {
        List<int[]> tokens = new ArrayList<>();
        Matcher m = TOKEN.matcher(header);
        while (m.find()) tokens.add(new int[] {m.start(), m.end()});
        if (tokens.isEmpty()) return header;
        StringBuilder sb = new StringBuilder(header);
        int edits = 1 + rng.nextInt(3);
        for (int e = 0; e < edits && !tokens.isEmpty(); e++) {
            int[] t = tokens.remove(rng.nextInt(tokens.size()));
            if (t[1] > sb.length()) continue;
            String r = rng.nextInt(4) == 0 ? Long.toString(rng.nextLong(-8, 600)) : REPLACEMENTS[rng.nextInt(REPLACEMENTS.length)];
            sb.replace(t[0], t[1], r);
            tokens.removeIf(o -> o[0] >= t[0]); // later offsets moved; keep only tokens before the edit
        }
        return sb.toString();
    }

    private static String editText(String header, SplittableRandom rng) {
        StringBuilder sb = new StringBuilder(header);
        int edits = 1 + rng.nextInt(3);
        for (int e = 0; e < edits; e++) {
            int at = rng.nextInt(sb.length() + 1);
            switch (rng.nextInt(4)) {
                case 0 -> sb.delete(at, Math.min(sb.length(), at + 1 + rng.nextInt(12)));
                case 1 -> sb.insert(at, NOISE.charAt(rng.nextInt(NOISE.length())));
                case 2 -> {
                    int end = Math.min(sb.length(), at + 1 + rng.nextInt(60));
                    String piece = sb.substring(at, end);
                    sb.insert(rng.nextInt(sb.length() + 1), piece);
                }
                default -> sb.setLength(at);
            }
            if (sb.isEmpty()) break;
        }
        return sb.toString();
    }

    /** Header + data with the true header length most of the time, a stale or random one otherwise. */
    private static byte[] rebuild(String header, byte[] data, SplittableRandom rng) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        long length = rng.nextInt(8) == 0 ? randomLength(8 + h.length + data.length, h.length, rng) : h.length;
        return TestFiles.bytes(length, h, data);
    }

    private static byte[] withLength(byte[] base, long length) {
        byte[] out = base.clone();
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putLong(0, length);
        return out;
    }

    private static long randomLength(int fileSize, int headerLength, SplittableRandom rng) {
        return switch (rng.nextInt(6)) {
            case 0 -> rng.nextLong();
            case 1 -> headerLength + rng.nextInt(-9, 10);
            case 2 -> fileSize - 8 + rng.nextInt(-2, 3);
            case 3 -> 0;
            case 4 -> -1L - rng.nextInt(100);
            default -> rng.nextInt(Math.max(1, fileSize));
        };
    }

    private static String describe(byte[] input) {
        StringBuilder sb = new StringBuilder().append(input.length).append(" bytes: ");
        for (int i = 0; i < Math.min(input.length, 600); i++) {
            int b = input[i] & 0xff;
            sb.append(b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : String.format("\\x%02x", b));
        }
        return sb.toString();
    }
}
