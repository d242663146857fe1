package org.crs4j.crs.controller;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.crs4j.nn.checkpoint.Checkpoint;
import org.crs4j.tensor.io.SafetensorsFile;

/**
 * What a training run stores beside its tensors (the extras of an nn {@link Checkpoint}: settings, data and model
 * fingerprints), read without installing anything, so that {@code --resume} refuses a state saved by another kind of
 * run, for another model or vocabulary, or on other data, with one line naming what differs, before any weight changes.
 */
public final class RunState {
    private RunState() {}

    /** The extras saved in a checkpoint file. */
    public static Map<String, String> extras(Path file) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            String meta = f.metadata().get(Checkpoint.METADATA_KEY);
            if (meta == null) throw new IOException(file + ": not a crs4j training state (no " + Checkpoint.METADATA_KEY + " metadata)");
            JsonNode extra;
            try {
                extra = new ObjectMapper().readTree(meta).get("extra");
            } catch (JsonProcessingException e) {
                throw new IOException(file + ": invalid training-state metadata: " + e.getOriginalMessage());
            }
            Map<String, String> out = new LinkedHashMap<>();
            if (extra != null) extra.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
            return out;
        }
    }

    /** Every entry of {@code now} must be saved in {@code file} with the same value. */
    public static void requireSame(Path file, Map<String, String> now) throws IOException {
        Map<String, String> saved = extras(file);
        for (Map.Entry<String, String> e : now.entrySet()) {
            String was = saved.get(e.getKey());
            if (!e.getValue().equals(was)) {
                throw new IOException(file + ": saved with " + e.getKey() + " " + (was == null ? "(none)" : "\"" + was + "\"")
                        + ", this run has \"" + e.getValue() + "\": resume with the same settings, model and data");
            }
        }
    }
}
