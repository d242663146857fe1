package org.crs4j.data.tgredial;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.crs4j.data.io.DataFile;
import org.crs4j.data.io.Json;
import org.crs4j.data.model.Dataset;
import org.crs4j.data.model.DatasetLoader;
import org.crs4j.data.model.Dialogue;
import org.crs4j.data.model.Item;
import org.crs4j.data.model.ItemCatalogue;
import org.crs4j.data.model.KnowledgeGraph;
import org.crs4j.data.model.MissingDataException;
import org.crs4j.data.model.Split;

/**
 * TG-ReDial in the original release's form. Shared has its valid and test splits (the 8:1:1 split's 10% parts) but
 * not the train split, and no knowledge graph (CRSLab's CN-DBpedia subgraph is not there either). The entity space is
 * therefore the 33,834 movies plus the topic vocabulary ({@code topic_to_id_2k5.json}), with no triples: an RGCN over
 * it reduces to its self-loop, i.e. learned entity embeddings.
 */
public final class TgRedialLoader implements DatasetLoader {
    public static final String NAME = "tgredial";

    @Override public String name() { return NAME; }

    @Override
    public boolean present(Path dataDir) {
        return DataFile.find(dataDir.resolve(NAME), "test_data.json").isPresent();
    }

    @Override
    public Dataset load(Path dataDir, Options options) {
        Path root = dataDir.resolve(NAME);
        if (!Files.isDirectory(root)) throw new MissingDataException("no TG-ReDial folder at " + root + " (run: crs4j data fetch tgredial)");
        var report = options.report();
        List<String> notes = new ArrayList<>();
        Map<Split, List<Dialogue>> splits = new EnumMap<>(Split.class);
        var train = DataFile.find(root, "train_data.json");
        splits.put(Split.TRAIN, train.map(f -> TgRedialReader.read(f, report)).orElse(List.of()));
        splits.put(Split.VALID, TgRedialReader.read(DataFile.require(root, "valid_data.json"), report));
        splits.put(Split.TEST, TgRedialReader.read(DataFile.require(root, "test_data.json"), report));
        if (train.isEmpty()) notes.add("split: the official train split is missing; valid and test are the official ones (757 / 748 dialogues); there is no train split");
        else notes.add("split: the official train / valid / test files");

        DataFile movies = DataFile.find(root, "movies_with_mentions.utf8.csv").orElseGet(() -> DataFile.require(root, "movies_with_mentions.csv"));
        List<Item> items = TgRedialReader.readMovies(movies, report);
        LinkedHashSet<String> entities = new LinkedHashSet<>();
        for (Item it : items) entities.add(it.entity());
        DataFile.find(root, "topic_to_id_2k5.json").ifPresent(f -> {
            JsonNode topics = Json.readSmall(f);
            if (!topics.isObject()) throw f.error("", "", "expected a JSON object {topic: id}, got " + Json.kind(topics));
            topics.fieldNames().forEachRemaining(entities::add);
        });
        notes.add("graph: none in shared (CRSLab's TG-ReDial KG is missing); entities = " + items.size() + " movies + topics, no triples");
        KnowledgeGraph kg = KnowledgeGraph.empty("TG-ReDial movies and topics (no triples)", new ArrayList<>(entities));
        return new Dataset(NAME, splits, new ItemCatalogue(items), kg, notes);
    }
}
