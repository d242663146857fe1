package org.crs4j.tensor.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.crs4j.tensor.DType;

/**
 * Parses and validates a safetensors header: 8-byte little-endian length N, then N bytes of UTF-8 JSON
 * {@code {"__metadata__": {str: str}, name: {"dtype": D, "shape": [..], "data_offsets": [begin, end]}, ...}},
 * then the data section, which the tensors' byte ranges must tile exactly (no gaps, no overlaps, nothing after).
 *
 * <p>Every violation is a {@link SafetensorsFormatException} naming the file, tensor and field; nothing else escapes
 * (JSON syntax errors are wrapped with their position). The rules are those of the reference implementation
 * (huggingface/safetensors): headers over 100,000,000 bytes are refused, and arithmetic overflow in
 * shape x dtype size is an error, not a wrap-around.
 */
final class SafetensorsHeader {
    /** The reference implementation's limit; it also bounds what a corrupt length field can make us allocate. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    /** dtype names the format defines that crs4j cannot represent (for a clearer message than "unknown"). */
    private static final Set<String> OTHER_SAFETENSORS_DTYPES = Set.of(
            "U8", "I8", "I16", "U16", "U32", "U64", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4", "C64");

    static final JsonFactory JSON = JsonFactory.builder()
            // Default limits (20M-char strings, 50k-char names) are below what a legal 100 MB header may hold.
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxStringLength((int) MAX_HEADER_BYTES)
                    .maxNameLength((int) MAX_HEADER_BYTES)
                    .build())
            // Write characters outside the BMP as raw UTF-8, as serde_json does, not as escaped surrogate pairs.
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
            .build();

    /**
     * A validated header.
     *
     * @param headerLength the JSON's length N in bytes; the data section starts at byte 8 + N
     * @param metadata     {@code __metadata__} in file order (empty when absent)
     * @param tensors      the entries in header order
     */
    record Parsed(long headerLength, Map<String, String> metadata, List<TensorInfo> tensors) {
        long dataStart() {
            return 8 + headerLength;
        }
    }

    private final Path file;

    private SafetensorsHeader(Path file) {
        this.file = file;
    }

    /** Parses the header at the start of {@code bytes} (the whole file) and checks the layout against its size. */
    static Parsed parse(Path file, MemorySegment bytes) throws SafetensorsFormatException {
        return new SafetensorsHeader(file).parse(bytes);
    }

    private Parsed parse(MemorySegment bytes) throws SafetensorsFormatException {
        long size = bytes.byteSize();
        if (size < 8) {
            throw error(null, null, "file is " + size + " bytes, too short to hold the 8-byte header length");
        }
        long n = bytes.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (n < 0 || n > size - 8) {
            throw error(null, null, "header length " + Long.toUnsignedString(n) + " runs past the end of the file ("
                    + size + " bytes); this is not a safetensors file or it is truncated");
        }
        if (n > MAX_HEADER_BYTES) {
            throw error(null, null, "header length " + n + " exceeds the format's limit of " + MAX_HEADER_BYTES + " bytes");
        }
        String json = decodeUtf8(file, "header", bytes.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE), 8);
        Map<String, String> metadata = new LinkedHashMap<>();
        List<TensorInfo> tensors = parseJson(json, metadata);
        checkLayout(tensors, size - 8 - n);
        return new Parsed(n, Collections.unmodifiableMap(metadata), List.copyOf(tensors));
    }

    /** Strict UTF-8 (Jackson would guess UTF-16/32 from the first bytes; the format says UTF-8). */
    static String decodeUtf8(Path file, String what, byte[] raw, long fileOffset) throws SafetensorsFormatException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(raw);
        CharBuffer out = CharBuffer.allocate(raw.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) result = decoder.flush(out);
        if (result.isError()) {
            throw new SafetensorsFormatException(file, null, null,
                    what + " is not valid UTF-8 (bad byte at offset " + (fileOffset + in.position()) + " of the file)");
        }
        return out.flip().toString();
    }

    // ------------------------------------------------------------------ JSON

    private List<TensorInfo> parseJson(String json, Map<String, String> metadata) throws SafetensorsFormatException {
        List<TensorInfo> tensors = new ArrayList<>();
        try (JsonParser p = JSON.createParser(json)) {
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_OBJECT) {
                throw error(null, null, "header is " + describe(t) + ", not a JSON object");
            }
            Set<String> names = new java.util.HashSet<>();
            boolean sawMetadata = false;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("__metadata__")) {
                    if (sawMetadata) throw error(null, "__metadata__", "appears twice in the header");
                    sawMetadata = true;
                    parseMetadata(p, value, metadata);
                    continue;
                }
                if (!names.add(name)) throw error(name, null, "appears twice in the header (duplicate tensor name)");
                if (value != JsonToken.START_OBJECT) {
                    throw error(name, null, "entry is " + describe(value) + ", not an object with dtype, shape and data_offsets");
                }
                tensors.add(parseEntry(p, name));
            }
            if (p.nextToken() != null) {
                throw error(null, null, "unexpected content after the header's JSON object (at char "
                        + p.currentLocation().getCharOffset() + ")");
            }
        } catch (SafetensorsFormatException e) {
            throw e;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw error(null, null, "header is not valid JSON" + where + ": " + oneLine(e.getOriginalMessage()), e);
        } catch (IOException e) {
            throw error(null, null, "header could not be parsed: " + oneLine(e.getMessage()), e);
        }
        return tensors;
    }

    private void parseMetadata(JsonParser p, JsonToken value, Map<String, String> metadata) throws IOException {
        if (value == JsonToken.VALUE_NULL) return; // the reference treats a null __metadata__ as absent
        if (value != JsonToken.START_OBJECT) {
            throw error(null, "__metadata__", "is " + describe(value) + ", not an object of strings");
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonToken v = p.nextToken();
            if (v != JsonToken.VALUE_STRING) {
                throw error(null, "__metadata__", "value of " + SafetensorsFormatException.quote(key) + " is "
                        + describe(v) + ", not a string");
            }
            if (metadata.putIfAbsent(key, p.getText()) != null) {
                throw error(null, "__metadata__", "key " + SafetensorsFormatException.quote(key) + " appears twice");
            }
        }
    }

    private TensorInfo parseEntry(JsonParser p, String name) throws IOException {
        String dtypeName = null;
        long[] shape = null, offsets = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "dtype" -> {
                    if (dtypeName != null) throw error(name, field, "appears twice");
                    if (v != JsonToken.VALUE_STRING) throw error(name, field, "is " + describe(v) + ", not a string");
                    dtypeName = p.getText();
                }
                case "shape" -> {
                    if (shape != null) throw error(name, field, "appears twice");
                    shape = nonNegativeLongs(p, v, name, field);
                }
                case "data_offsets" -> {
                    if (offsets != null) throw error(name, field, "appears twice");
                    offsets = nonNegativeLongs(p, v, name, field);
                    if (offsets.length != 2) {
                        throw error(name, field, "has " + offsets.length + " values, not 2 ([begin, end])");
                    }
                }
                default -> throw error(name, SafetensorsFormatException.quote(field),
                        "unexpected field (an entry has exactly dtype, shape and data_offsets)");
            }
        }
        if (dtypeName == null) throw error(name, "dtype", "missing");
        if (shape == null) throw error(name, "shape", "missing");
        if (offsets == null) throw error(name, "data_offsets", "missing");

        DType dtype = DType.fromSafetensorsName(dtypeName);
        if (dtype == null) {
            String supported = Arrays.stream(DType.values()).map(DType::safetensorsName).filter(s -> s != null).toList().toString();
            throw error(name, "dtype", OTHER_SAFETENSORS_DTYPES.contains(dtypeName)
                    ? dtypeName + " is a safetensors dtype that crs4j does not support (it supports " + supported + ")"
                    : "unknown dtype " + SafetensorsFormatException.quote(dtypeName) + " (crs4j supports " + supported + ")");
        }
        long nbytes;
        try {
            long numel = 1;
            for (long d : shape) numel = Math.multiplyExact(numel, d);
            nbytes = Math.multiplyExact(numel, dtype.byteSize());
        } catch (ArithmeticException e) {
            throw error(name, "shape", Arrays.toString(shape) + " of " + dtype
                    + " has more bytes than a 64-bit integer holds (overflow)");
        }
        long begin = offsets[0], end = offsets[1];
        if (end < begin) {
            throw error(name, "data_offsets", "[" + begin + ", " + end + "] is reversed: end comes before begin");
        }
        if (end - begin != nbytes) {
            throw error(name, null, "shape " + Arrays.toString(shape) + " of " + dtype + " is " + nbytes
                    + " bytes but data_offsets [" + begin + ", " + end + "] span " + (end - begin));
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private long[] nonNegativeLongs(JsonParser p, JsonToken v, String name, String field) throws IOException {
        if (v != JsonToken.START_ARRAY) {
            throw error(name, field, "is " + describe(v) + ", not an array of non-negative integers");
        }
        String element = field.equals("shape") ? "dim " : "element ";
        long[] out = new long[4];
        int n = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.VALUE_NUMBER_INT) {
                throw error(name, field, element + n + " is " + describe(t) + ", not a non-negative integer");
            }
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw error(name, field, element + n + " (" + abbreviate(p.getText()) + ") does not fit in 64 bits");
            }
            long value = p.getLongValue();
            if (value < 0) throw error(name, field, element + n + " is negative (" + value + ")");
            if (n == out.length) out = Arrays.copyOf(out, 2 * n);
            out[n++] = value;
        }
        return Arrays.copyOf(out, n);
    }

    // ------------------------------------------------------------------ layout

    /** The byte ranges must lie in the data section and tile it exactly, as the format requires. */
    private void checkLayout(List<TensorInfo> tensors, long dataSize) throws SafetensorsFormatException {
        for (TensorInfo t : tensors) {
            if (t.end() > dataSize) {
                throw error(t.name(), "data_offsets", "[" + t.begin() + ", " + t.end()
                        + "] lies outside the data section, which is " + dataSize + " bytes");
            }
        }
        List<TensorInfo> byOffset = new ArrayList<>(tensors);
        byOffset.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long expected = 0;
        TensorInfo previous = null;
        for (TensorInfo t : byOffset) {
            if (t.begin() < expected) {
                throw error(t.name(), "data_offsets", "[" + t.begin() + ", " + t.end() + "] overlaps tensor "
                        + SafetensorsFormatException.quote(previous.name()) + " [" + previous.begin() + ", " + previous.end() + "]");
            }
            if (t.begin() > expected) {
                throw error(t.name(), "data_offsets", "data bytes [" + expected + ", " + t.begin() + ") before it belong to no tensor"
                        + (previous == null ? "" : " (gap after tensor " + SafetensorsFormatException.quote(previous.name()) + ")")
                        + "; the format requires the data section to be fully indexed");
            }
            expected = t.end();
            previous = t;
        }
        if (expected != dataSize) {
            throw error(null, null, "data bytes [" + expected + ", " + dataSize + ") at the end of the file belong to no tensor"
                    + "; the format requires the data section to be fully indexed");
        }
    }

    // ------------------------------------------------------------------ helpers

    private SafetensorsFormatException error(String tensor, String field, String problem) {
        return new SafetensorsFormatException(file, tensor, field, problem);
    }

    private SafetensorsFormatException error(String tensor, String field, String problem, Throwable cause) {
        return new SafetensorsFormatException(file, tensor, field, problem, cause);
    }

    static String describe(JsonToken t) {
        if (t == null) return "empty";
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT -> "an integer";
            case VALUE_NUMBER_FLOAT -> "a fractional number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.toString();
        };
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    static String oneLine(String s) {
        if (s == null) return "unknown error";
        // Jackson names the source even when told not to include it: "[Source: REDACTED (...); line: 1, column: 3]".
        s = s.replaceAll("\\[Source: [^;\\]]*; (line: \\d+, column: \\d+)\\]", "$1").replaceAll("[\\r\\n]+", " ");
        return s.length() <= 300 ? s : s.substring(0, 300) + "...";
    }
}
