package org.crs4j.tensor.io;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.crs4j.io.InputFiles;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import org.crs4j.tensor.Tensor;

/**
 * A Hugging Face sharded checkpoint: {@code model.safetensors.index.json}
 * ({@code {"metadata": {...}, "weight_map": {tensor name: shard file}}}) and the shard files it names, next to it.
 *
 * <p>Opening maps every shard and checks that the index and the shards agree: each shard named exists and is a valid
 * safetensors file, each tensor of the index is in the shard the index names, and each tensor of a shard is listed in
 * the index under that shard. A shard's name may not lead outside the index's folder. The index's
 * {@code metadata.total_size} is kept as metadata but not enforced: writers disagree on what it counts (shared
 * storage, quantization), and the shards' own headers are authoritative.
 */
public final class ShardedSafetensors implements Safetensors {
    /** Index files are small (a few MB for the largest models); anything past this is not an index. */
    private static final long MAX_INDEX_BYTES = 100_000_000L;

    private final Path index;
    private final Map<String, String> metadata;
    private final List<SafetensorsFile> shards;
    private final Map<String, SafetensorsFile> shardOf;
    private final List<TensorInfo> sorted;

    private ShardedSafetensors(Path index, Map<String, String> metadata, List<SafetensorsFile> shards,
                               Map<String, SafetensorsFile> shardOf) {
        this.index = index;
        this.metadata = metadata;
        this.shards = List.copyOf(shards);
        this.shardOf = Collections.unmodifiableMap(shardOf);
        List<TensorInfo> all = new ArrayList<>();
        for (Map.Entry<String, SafetensorsFile> e : shardOf.entrySet()) all.add(e.getValue().info(e.getKey()));
        this.sorted = List.copyOf(all); // shardOf is a TreeMap: already by name
    }

    /**
     * Reads the index, maps its shards and checks that they agree.
     *
     * @throws SafetensorsFormatException when the index or a shard is malformed, a shard is missing, or the index
     *                                    and the shards disagree (the message names the file and the tensor)
     */
    public static ShardedSafetensors open(Path index) throws IOException {
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, String> weightMap = readIndex(index, metadata);

        Path dir = index.toAbsolutePath().getParent().normalize();
        Map<String, List<String>> tensorsOfShard = new TreeMap<>();
        for (Map.Entry<String, String> e : weightMap.entrySet()) {
            tensorsOfShard.computeIfAbsent(e.getValue(), k -> new ArrayList<>()).add(e.getKey());
        }
        Map<String, Path> shardPaths = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : tensorsOfShard.entrySet()) {
            String shard = e.getKey();
            String example = e.getValue().getFirst();
            Path resolved = dir.resolve(shard).normalize();
            if (shard.isEmpty() || !resolved.startsWith(dir) || resolved.equals(dir)) {
                throw new SafetensorsFormatException(index, example, "weight_map",
                        "shard " + SafetensorsFormatException.quote(shard) + " is not a file inside the index's folder");
            }
            Path shown = index.resolveSibling(shard);
            if (!Files.exists(resolved)) {
                throw new SafetensorsFormatException(index, example, "weight_map", "shard " + shown
                        + " does not exist (the index puts " + e.getValue().size() + " tensor(s) in it)");
            }
            InputFiles.requireFile(resolved); // a folder or FIFO named like a shard is refused by what it is
            shardPaths.put(shard, shown);
        }

        List<SafetensorsFile> shards = new ArrayList<>();
        try {
            Map<String, SafetensorsFile> fileOf = new LinkedHashMap<>();
            for (Map.Entry<String, Path> e : shardPaths.entrySet()) {
                SafetensorsFile f = SafetensorsFile.open(e.getValue());
                shards.add(f);
                fileOf.put(e.getKey(), f);
            }
            Map<String, SafetensorsFile> shardOf = new TreeMap<>();
            for (Map.Entry<String, String> e : weightMap.entrySet()) {
                SafetensorsFile f = fileOf.get(e.getValue());
                if (!f.contains(e.getKey())) {
                    throw new SafetensorsFormatException(index, e.getKey(), "weight_map",
                            "the index puts it in shard " + f.path() + ", which does not contain it");
                }
                shardOf.put(e.getKey(), f);
            }
            for (Map.Entry<String, SafetensorsFile> e : fileOf.entrySet()) {
                for (TensorInfo t : e.getValue().tensors()) {
                    String listed = weightMap.get(t.name());
                    if (listed == null) {
                        throw new SafetensorsFormatException(index, t.name(), "weight_map",
                                "shard " + e.getValue().path() + " holds it but the index does not list it");
                    }
                    if (!listed.equals(e.getKey())) {
                        throw new SafetensorsFormatException(index, t.name(), "weight_map", "shard " + e.getValue().path()
                                + " holds it but the index puts it in " + SafetensorsFormatException.quote(listed));
                    }
                }
            }
            return new ShardedSafetensors(index, Collections.unmodifiableMap(metadata), shards, shardOf);
        } catch (IOException | RuntimeException e) {
            shards.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    /** Parses the index JSON; fills {@code metadata} and returns the weight map in file order. */
    private static Map<String, String> readIndex(Path index, Map<String, String> metadata) throws IOException {
        InputFiles.requireFile(index);
        byte[] raw;
        try {
            long size = Files.size(index);
            if (size > MAX_INDEX_BYTES) {
                throw new SafetensorsFormatException(index, null, null, "is " + size + " bytes; a sharded index is at most "
                        + MAX_INDEX_BYTES + " bytes, so this is not one");
            }
            raw = Files.readAllBytes(index);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(index.toString(), null, "no such file");
        } catch (AccessDeniedException e) {
            throw new AccessDeniedException(index.toString(), null, "permission denied");
        }
        String json = SafetensorsHeader.decodeUtf8(index, "index", raw, 0);
        Map<String, String> weightMap = null;
        try (JsonParser p = SafetensorsHeader.JSON.createParser(json)) {
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_OBJECT) {
                throw new SafetensorsFormatException(index, null, null,
                        "index is " + SafetensorsHeader.describe(t) + ", not a JSON object");
            }
            boolean sawMetadata = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                JsonToken v = p.nextToken();
                switch (key) {
                    case "weight_map" -> {
                        if (weightMap != null) throw new SafetensorsFormatException(index, null, key, "appears twice");
                        weightMap = readWeightMap(index, p, v);
                    }
                    case "metadata" -> {
                        if (sawMetadata) throw new SafetensorsFormatException(index, null, key, "appears twice");
                        sawMetadata = true;
                        readMetadata(index, p, v, metadata);
                    }
                    default -> p.skipChildren(); // other keys carry nothing we use
                }
            }
            if (p.nextToken() != null) {
                throw new SafetensorsFormatException(index, null, null, "unexpected content after the index's JSON object");
            }
        } catch (SafetensorsFormatException e) {
            throw e;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new SafetensorsFormatException(index, null, null,
                    "index is not valid JSON" + where + ": " + SafetensorsHeader.oneLine(e.getOriginalMessage()), e);
        }
        if (weightMap == null) throw new SafetensorsFormatException(index, null, "weight_map", "missing");
        return weightMap;
    }

    private static Map<String, String> readWeightMap(Path index, JsonParser p, JsonToken v) throws IOException {
        if (v != JsonToken.START_OBJECT) {
            throw new SafetensorsFormatException(index, null, "weight_map",
                    "is " + SafetensorsHeader.describe(v) + ", not an object of tensor name to shard file");
        }
        Map<String, String> map = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken s = p.nextToken();
            if (s != JsonToken.VALUE_STRING) {
                throw new SafetensorsFormatException(index, name, "weight_map",
                        "shard is " + SafetensorsHeader.describe(s) + ", not a file name");
            }
            if (map.putIfAbsent(name, p.getText()) != null) {
                throw new SafetensorsFormatException(index, name, "weight_map", "appears twice");
            }
        }
        return map;
    }

    /** Scalars keep their text ({@code total_size} is a number in HF indexes); nested values become compact JSON. */
    private static void readMetadata(Path index, JsonParser p, JsonToken v, Map<String, String> metadata) throws IOException {
        if (v == JsonToken.VALUE_NULL) return;
        if (v != JsonToken.START_OBJECT) {
            throw new SafetensorsFormatException(index, null, "metadata", "is " + SafetensorsHeader.describe(v) + ", not an object");
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonToken value = p.nextToken();
            String text;
            if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
                StringWriter w = new StringWriter();
                try (JsonGenerator g = SafetensorsHeader.JSON.createGenerator(w)) {
                    g.copyCurrentStructure(p);
                }
                text = w.toString();
            } else {
                text = p.getText();
            }
            if (metadata.putIfAbsent(key, text) != null) {
                throw new SafetensorsFormatException(index, null, "metadata",
                        "key " + SafetensorsFormatException.quote(key) + " appears twice");
            }
        }
    }

    @Override
    public Path path() {
        return index;
    }

    /** The index's {@code metadata} (e.g. {@code total_size}); each shard's own {@code __metadata__} is on {@link #shards()}. */
    @Override
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public List<TensorInfo> tensors() {
        return sorted;
    }

    /** The shard files, in the order of their names in the index. */
    public List<SafetensorsFile> shards() {
        return shards;
    }

    /** The shard holding {@code name}. */
    public SafetensorsFile shardOf(String name) {
        SafetensorsFile f = shardOf.get(name);
        if (f == null) throw new NoSuchElementException(index + ": no tensor " + SafetensorsFormatException.quote(name));
        return f;
    }

    @Override
    public boolean contains(String name) {
        return shardOf.containsKey(name);
    }

    @Override
    public TensorInfo info(String name) {
        return shardOf(name).info(name);
    }

    @Override
    public Tensor tensor(String name) {
        return shardOf(name).tensor(name);
    }

    @Override
    public void close() {
        shards.forEach(SafetensorsFile::close);
    }

    @Override
    public String toString() {
        return "ShardedSafetensors[" + index + ", " + shards.size() + " shards, " + sorted.size() + " tensors]";
    }
}
