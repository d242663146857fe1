package org.crs4j.crs.rec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;

/**
 * Everything that defines one recommender training run: the model (variant switches), the loss and the optimisation.
 * Each variant's defaults are a resource next to this class ({@code full.json}, {@code no-causal.json},
 * {@code kbrd.json}); a run overrides a few fields (seed, epochs) and the model directory stores the result.
 *
 * @param variant         {@code full}, {@code no-causal} or {@code kbrd}: the name tables and model names use
 * @param dim             entity embedding and RGCN output size (128)
 * @param bases           RGCN basis decomposition (0: one weight per relation)
 * @param relu            ReLU on the RGCN output (Eq. 2 has it; KBRD's code has none)
 * @param pooling         {@code time-aware} (Eq. 3) or {@code self-attention} (KBRD)
 * @param outputBias      a learned score bias per item added to u H^T (KBRD's {@code output.bias}; Eq. 4 has none)
 * @param lambda          the recency base of Eq. 3 (weights lambda^(i-1), normalised)
 * @param maxContext      how many of the most recent context entities are pooled (CTA-CRS keeps 100)
 * @param causal          adds Eq. 7's causal term and Eq. 8's KL to the cross-entropy
 * @param intervention    the masking operation M of Eq. 5: {@code zero} (M h = 0, the plain reading) or
 *                        {@code learned} (M h = sigmoid(m) * h, with a learned vector m)
 * @param alpha           weight of the causal term (2.0)
 * @param beta            weight of KL(p-bar || p) (0.5)
 * @param lr              Adam's peak learning rate (5e-3)
 * @param batchSize       micro-batch size (32)
 * @param updateFrequency micro-batches per optimizer step (4, so 128 samples per update)
 * @param warmupSteps     linear warm-up, in optimizer steps (1000), then linear decay to 0 at the last step
 * @param maxEpochs       upper bound on epochs; the decay reaches 0 there
 * @param patience        early stopping: stop after this many epochs without a better validation Recall@50
 * @param seed            initialisation and data order
 */
public record RecSettings(String variant, int dim, int bases, boolean relu, String pooling, boolean outputBias, double lambda,
                          int maxContext, boolean causal, String intervention, double alpha, double beta, double lr, int batchSize,
                          int updateFrequency, int warmupSteps, int maxEpochs, int patience, long seed) {
    public static final List<String> VARIANTS = List.of("full", "no-causal", "kbrd");
    public static final String TIME_AWARE = "time-aware", SELF_ATTENTION = "self-attention";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FIELDS = Set.of("variant", "dim", "bases", "relu", "pooling", "outputBias", "lambda", "maxContext",
            "causal", "intervention", "alpha", "beta", "lr", "batchSize", "updateFrequency", "warmupSteps", "maxEpochs",
            "patience", "seed");

    public RecSettings {
        require(dim > 0, "dim", "must be > 0");
        require(bases >= 0, "bases", "must be >= 0");
        require(pooling.equals(TIME_AWARE) || pooling.equals(SELF_ATTENTION), "pooling", "must be time-aware or self-attention, not " + pooling);
        require(lambda > 0, "lambda", "must be > 0");
        require(maxContext > 0, "maxContext", "must be > 0");
        require(intervention.equals("zero") || intervention.equals("learned"), "intervention", "must be zero or learned, not " + intervention);
        require(!causal || pooling.equals(TIME_AWARE), "causal", "the intervention of Eq. 5 is defined on the time-aware pooling only");
        require(alpha >= 0 && beta >= 0, "alpha", "alpha and beta must be >= 0");
        require(lr > 0, "lr", "must be > 0");
        require(batchSize > 0, "batchSize", "must be > 0");
        require(updateFrequency > 0, "updateFrequency", "must be > 0");
        require(warmupSteps >= 0, "warmupSteps", "must be >= 0");
        require(maxEpochs > 0, "maxEpochs", "must be > 0");
        require(patience > 0, "patience", "must be > 0");
    }

    private static void require(boolean ok, String field, String what) {
        if (!ok) throw new IllegalArgumentException("setting " + field + ": " + what);
    }

    /** A variant's defaults (the resource {@code <variant>.json}). */
    public static RecSettings forVariant(String variant) {
        if (!VARIANTS.contains(variant)) {
            throw new IllegalArgumentException("--variant: unknown variant " + variant + " (use " + String.join(", ", VARIANTS) + ")");
        }
        try (InputStream in = RecSettings.class.getResourceAsStream(variant + ".json")) {
            return fromJson(JSON.readTree(in), variant + ".json");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the settings resource " + variant + ".json", e);
        }
    }

    /**
     * A variant's settings for a dataset: the variant's defaults with the dataset's entries of the resource
     * {@code datasets.json} (warm-up and epoch budget sized to the data; datasets not listed keep the defaults).
     */
    public static RecSettings forVariant(String variant, String dataset) {
        RecSettings s = forVariant(variant);
        try (InputStream in = RecSettings.class.getResourceAsStream("datasets.json")) {
            JsonNode d = JSON.readTree(in).get(dataset);
            if (d == null) return s;
            ObjectNode merged = s.toJson();
            d.properties().forEach(e -> merged.set(e.getKey(), e.getValue()));
            return fromJson(merged, "datasets.json: " + dataset);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the settings resource datasets.json", e);
        }
    }

    /** Samples per optimizer step (batch size x update frequency). */
    public int samplesPerUpdate() {
        return batchSize * updateFrequency;
    }

    public RecSettings withSeed(long s) {
        return new RecSettings(variant, dim, bases, relu, pooling, outputBias, lambda, maxContext, causal, intervention, alpha, beta, lr,
                batchSize, updateFrequency, warmupSteps, maxEpochs, patience, s);
    }

    public RecSettings withMaxEpochs(int e) {
        return new RecSettings(variant, dim, bases, relu, pooling, outputBias, lambda, maxContext, causal, intervention, alpha, beta, lr,
                batchSize, updateFrequency, warmupSteps, e, patience, seed);
    }

    public RecSettings withPatience(int p) {
        return new RecSettings(variant, dim, bases, relu, pooling, outputBias, lambda, maxContext, causal, intervention, alpha, beta, lr,
                batchSize, updateFrequency, warmupSteps, maxEpochs, p, seed);
    }

    public RecSettings withWarmupSteps(int w) {
        return new RecSettings(variant, dim, bases, relu, pooling, outputBias, lambda, maxContext, causal, intervention, alpha, beta, lr,
                batchSize, updateFrequency, w, maxEpochs, patience, seed);
    }

    public RecSettings withBases(int b) {
        return new RecSettings(variant, dim, b, relu, pooling, outputBias, lambda, maxContext, causal, intervention, alpha, beta, lr,
                batchSize, updateFrequency, warmupSteps, maxEpochs, patience, seed);
    }

    public RecSettings withIntervention(String i) {
        return new RecSettings(variant, dim, bases, relu, pooling, outputBias, lambda, maxContext, causal, i, alpha, beta, lr,
                batchSize, updateFrequency, warmupSteps, maxEpochs, patience, seed);
    }

    public ObjectNode toJson() {
        return JSON.valueToTree(this);
    }

    /** Reads settings written by {@link #toJson} (or a resource); errors name {@code source} and the field. */
    public static RecSettings fromJson(JsonNode n, String source) {
        if (n == null || !n.isObject()) throw new IllegalArgumentException(source + ": expected a JSON object of settings");
        n.fieldNames().forEachRemaining(f -> {
            if (!f.startsWith("_") && !FIELDS.contains(f)) throw new IllegalArgumentException(source + ": field " + f + ": unknown setting");
        });
        try {
            return new RecSettings(str(n, "variant", source), integer(n, "dim", source), integer(n, "bases", source),
                    bool(n, "relu", source), str(n, "pooling", source), bool(n, "outputBias", source), num(n, "lambda", source), integer(n, "maxContext", source),
                    bool(n, "causal", source), str(n, "intervention", source), num(n, "alpha", source), num(n, "beta", source),
                    num(n, "lr", source), integer(n, "batchSize", source), integer(n, "updateFrequency", source),
                    integer(n, "warmupSteps", source), integer(n, "maxEpochs", source), integer(n, "patience", source),
                    field(n, "seed", source).asLong());
        } catch (IllegalArgumentException e) {
            if (e.getMessage().startsWith(source)) throw e;
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    private static JsonNode field(JsonNode n, String name, String source) {
        JsonNode v = n.get(name);
        if (v == null) throw new IllegalArgumentException(source + ": field " + name + ": missing");
        return v;
    }

    private static String str(JsonNode n, String name, String source) {
        JsonNode v = field(n, name, source);
        if (!v.isTextual()) throw new IllegalArgumentException(source + ": field " + name + ": expected a string, got " + v);
        return v.textValue();
    }

    private static int integer(JsonNode n, String name, String source) {
        JsonNode v = field(n, name, source);
        if (!v.isInt()) throw new IllegalArgumentException(source + ": field " + name + ": expected an integer, got " + v);
        return v.intValue();
    }

    private static double num(JsonNode n, String name, String source) {
        JsonNode v = field(n, name, source);
        if (!v.isNumber()) throw new IllegalArgumentException(source + ": field " + name + ": expected a number, got " + v);
        return v.doubleValue();
    }

    private static boolean bool(JsonNode n, String name, String source) {
        JsonNode v = field(n, name, source);
        if (!v.isBoolean()) throw new IllegalArgumentException(source + ": field " + name + ": expected true or false, got " + v);
        return v.booleanValue();
    }
}
