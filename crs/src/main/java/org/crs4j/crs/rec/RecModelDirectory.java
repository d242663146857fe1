package org.crs4j.crs.rec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.crs4j.data.prepare.PreparedDataset;
import org.crs4j.tensor.Device;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.io.AtomicFiles;
import org.crs4j.tensor.io.SafetensorsFile;
import org.crs4j.tensor.io.SafetensorsWriter;
import org.crs4j.tensor.io.TensorInfo;

/**
 * A trained recommender on disk, every file written atomically:
 * <ul>
 *   <li>{@value #CONFIG}: the settings, the prepared data it was trained on (dataset, graph variant, text linking)
 *       with the graph's size and fingerprint, and, once training has ended, how it ended and the validation figures;</li>
 *   <li>{@value #MODEL}: the weights of the best validation epoch (a safetensors state dict);</li>
 *   <li>{@value #CHECKPOINT}: the state after the last finished epoch (weights, Adam moments, schedule, data-order
 *       generator, early-stopping state), what {@code --resume} continues from;</li>
 *   <li>{@value #HISTORY}: one line per epoch (loss terms, validation Recall@K, learning rate, time).</li>
 * </ul>
 * {@link #load} refuses, with the file and field named, a directory that is not a model, a model of another
 * variant than its weights, and data other than what the model was trained on.
 */
public final class RecModelDirectory {
    public static final String CONFIG = "config.json", MODEL = "model.safetensors", CHECKPOINT = "checkpoint.safetensors",
            HISTORY = "history.csv";
    static final String FORMAT = "crs4j-recommender";
    static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** What {@value #CONFIG} holds. {@code training} is null while the run has not ended. */
    public record Config(RecSettings settings, RecData data, int entities, int relations, int items, String fingerprint,
                         ObjectNode training) {}

    private final Path dir;
    private final Config config;

    private RecModelDirectory(Path dir, Config config) {
        this.dir = dir;
        this.config = config;
    }

    public Path dir() {
        return dir;
    }

    public Config config() {
        return config;
    }

    /** Reads the directory's configuration; errors name the directory or file and the field. */
    public static RecModelDirectory open(Path dir) {
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException(dir + ": no such model directory");
        Path file = dir.resolve(CONFIG);
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException(file + ": missing (not a crs4j recommender model directory)");
        JsonNode n;
        try {
            n = JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid JSON (truncated?): " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage());
        }
        if (n == null || !n.isObject() || !FORMAT.equals(n.path("format").asText())) {
            throw new IllegalArgumentException(file + ": field format: not a crs4j recommender configuration");
        }
        if (n.path("version").asInt() != VERSION) {
            throw new IllegalArgumentException(file + ": field version: " + n.path("version") + ", this build reads " + VERSION);
        }
        JsonNode g = n.path("graph");
        for (String f : new String[] {"entities", "relations", "items", "fingerprint"}) {
            if (g.get(f) == null) throw new IllegalArgumentException(file + ": field graph." + f + ": missing");
        }
        Config c = new Config(RecSettings.fromJson(n.get("settings"), file + ": settings"), RecData.fromJson(n.get("data"), file.toString()),
                g.get("entities").asInt(), g.get("relations").asInt(), g.get("items").asInt(), g.get("fingerprint").asText(),
                n.get("training") instanceof ObjectNode t ? t : null);
        return new RecModelDirectory(dir, c);
    }

    static void writeConfig(Path dir, Config c) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("format", FORMAT);
        n.put("version", VERSION);
        n.put("name", CausalRecommender.nameOf(c.settings().variant()));
        n.set("settings", c.settings().toJson());
        n.set("data", c.data().toJson());
        ObjectNode g = n.putObject("graph");
        g.put("entities", c.entities());
        g.put("relations", c.relations());
        g.put("items", c.items());
        g.put("fingerprint", c.fingerprint());
        if (c.training() != null) n.set("training", c.training());
        AtomicFiles.writeString(dir.resolve(CONFIG), JSON.writeValueAsString(n) + "\n");
    }

    static Config configFor(RecSettings s, RecData data, RecGraph g) {
        return new Config(s, data, g.entities(), g.relations(), g.items().length, g.fingerprint(), null);
    }

    /** The graph of {@code data}, checked to be the one this model was trained on. */
    public RecGraph check(PreparedDataset data) {
        Path file = dir.resolve(CONFIG);
        if (!data.name().equals(config.data().dataset())) {
            throw new IllegalArgumentException(file + ": field data.dataset: the model was trained on " + config.data().dataset()
                    + ", the data given is " + data.name());
        }
        RecGraph g = RecGraph.of(data);
        if (!g.fingerprint().equals(config.fingerprint())) {
            throw new IllegalArgumentException(file + ": field graph.fingerprint: the model was trained on another " + data.name()
                    + " graph (" + config.entities() + " entities, " + config.relations() + " relations, " + config.items()
                    + " items) than the prepared data given (" + g.entities() + ", " + g.relations() + ", " + g.items().length
                    + "): prepare the data with the options in " + CONFIG + " (data)");
        }
        return g;
    }

    /** The best-validation weights as a recommender over {@code data}. */
    public CausalRecommender load(PreparedDataset data) throws IOException {
        return load(data, Device.CPU);
    }

    /** {@link #load(PreparedDataset)} with the model on {@code device}, where its scores are then computed. */
    public CausalRecommender load(PreparedDataset data, Device device) throws IOException {
        return load(data, MODEL, "", "the training run has not finished an epoch yet", device);
    }

    /**
     * The weights after the last finished epoch (from {@value #CHECKPOINT}), which differ from {@link #load}'s when
     * a later epoch did not improve validation Recall@50: for evaluating a fixed training budget without model selection.
     */
    public CausalRecommender loadLastEpoch(PreparedDataset data) throws IOException {
        return load(data, CHECKPOINT, "model.", "no epoch has finished", Device.CPU);
    }

    private CausalRecommender load(PreparedDataset data, String name, String prefix, String whyMissing, Device device) throws IOException {
        RecGraph g = check(data);
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException(file + ": missing (" + whyMissing + ")");
        CausalRecModel model = new CausalRecModel(config.settings(), g.entities(), g.relations(), null);
        Map<String, Tensor> state = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (TensorInfo t : f.tensors()) {
                // copies: the file is closed below
                if (t.name().startsWith(prefix)) state.put(t.name().substring(prefix.length()), f.tensor(t.name()).copy());
            }
        }
        try {
            model.loadStateDict(state, true);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": does not hold a " + config.settings().variant() + " model of this graph: " + e.getMessage());
        }
        model.eval();
        model.to(device);
        return new CausalRecommender(model, g, data);
    }

    static void writeModel(Path dir, CausalRecModel model, RecSettings s) throws IOException {
        SafetensorsWriter.write(dir.resolve(MODEL), model.stateDict(), Map.of("format", FORMAT, "variant", s.variant()));
    }
}
