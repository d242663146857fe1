package org.crs4j.crs.rec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.crs4j.data.io.ReadReport;
import org.crs4j.data.model.DatasetLoader;
import org.crs4j.data.prepare.PrepareOptions;
import org.crs4j.data.prepare.PreparedData;
import org.crs4j.data.prepare.PreparedDataset;
import org.crs4j.data.prepare.Progress;

/**
 * Which prepared data a recommender is trained on: the dataset, its knowledge-graph variant and whether utterance
 * text is entity-linked (null: data-tools' defaults). A model directory stores it, so evaluating a model finds the
 * same prepared data without the options being repeated.
 */
public record RecData(String dataset, String graph, Boolean linkText) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public PreparedDataset obtain(Path dataDir, Path cacheDir, Progress progress) {
        var load = new DatasetLoader.Options(ReadReport.strict(), graph);
        return PreparedData.obtain(dataDir, dataset, load, new PrepareOptions(null, linkText), cacheDir, false, progress).dataset();
    }

    public ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("dataset", dataset);
        if (graph != null) o.put("graph", graph);
        if (linkText != null) o.put("linkText", linkText);
        return o;
    }

    public static RecData fromJson(JsonNode n, String source) {
        if (n == null || !n.isObject() || !n.path("dataset").isTextual()) {
            throw new IllegalArgumentException(source + ": field data.dataset: missing");
        }
        JsonNode g = n.get("graph"), l = n.get("linkText");
        return new RecData(n.get("dataset").textValue(), g == null ? null : g.asText(), l == null ? null : l.asBoolean());
    }
}
