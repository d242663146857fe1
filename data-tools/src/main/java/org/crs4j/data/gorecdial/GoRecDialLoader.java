package org.crs4j.data.gorecdial;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.crs4j.data.io.DataFile;
import org.crs4j.data.kg.EntityIdsReader;
import org.crs4j.data.kg.TripleFileReader;
import org.crs4j.data.link.EntityNames;
import org.crs4j.data.model.Dataset;
import org.crs4j.data.model.DatasetLoader;
import org.crs4j.data.model.Dialogue;
import org.crs4j.data.model.Item;
import org.crs4j.data.model.ItemCatalogue;
import org.crs4j.data.model.KnowledgeGraph;
import org.crs4j.data.model.MissingDataException;
import org.crs4j.data.model.Split;

/**
 * GoRecDial (Kang et al. 2019) in CRSLab's preprocessed form ({@code gorecdial.zip}): {@code train_data.json},
 * {@code valid_data.json}, {@code test_data.json} (see {@link CrsLabDialogueReader}), {@code entity2id.json},
 * {@code dbpedia_subkg.txt} (tab-separated head, relation, tail names; CRSLab's GoRecDial loader reads it so) and
 * {@code movie_ids.json} (entity ids of the items). Shared has none of it (no public copy was found), so this loader is
 * tested on generated fixtures. Split: CRSLab's files.
 */
public final class GoRecDialLoader implements DatasetLoader {
    public static final String NAME = "gorecdial";

    @Override public String name() { return NAME; }

    @Override
    public boolean present(Path dataDir) {
        return DataFile.find(dataDir.resolve(NAME), "test_data.json").isPresent();
    }

    @Override
    public Dataset load(Path dataDir, Options options) {
        Path root = dataDir.resolve(NAME);
        if (!present(dataDir)) throw new MissingDataException("GoRecDial is not in " + root
                + ": put CRSLab's gorecdial files there (train_data.json, valid_data.json, test_data.json, entity2id.json, "
                + "dbpedia_subkg.txt, movie_ids.json); see data-tools/README.md");
        var report = options.report();
        Map<Split, List<Dialogue>> splits = new EnumMap<>(Split.class);
        splits.put(Split.TRAIN, CrsLabDialogueReader.read(DataFile.require(root, "train_data.json"), report));
        splits.put(Split.VALID, CrsLabDialogueReader.read(DataFile.require(root, "valid_data.json"), report));
        splits.put(Split.TEST, CrsLabDialogueReader.read(DataFile.require(root, "test_data.json"), report));
        List<String> entities = EntityIdsReader.read(DataFile.require(root, "entity2id.json"));
        var triples = DataFile.find(root, "dbpedia_subkg.txt");
        KnowledgeGraph kg = triples.isPresent()
                ? TripleFileReader.read("GoRecDial DBpedia subgraph (CRSLab)", triples.get(), entities, List.of(), report)
                : KnowledgeGraph.empty("GoRecDial entities (no subgraph file)", entities);
        List<Item> items = new ArrayList<>();
        var movieIds = DataFile.find(root, "movie_ids.json");
        if (movieIds.isPresent()) {
            for (int id : EntityIdsReader.readIntList(movieIds.get(), entities.size())) {
                String key = entities.get(id);
                items.add(new Item(key, EntityNames.displayName(key), 0, key, Map.of()));
            }
        }
        List<String> notes = List.of("split: CRSLab's train / valid / test files");
        return new Dataset(NAME, splits, new ItemCatalogue(items), kg, notes);
    }
}
