package org.crs4j.data.inspired;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.crs4j.data.io.DataFile;
import org.crs4j.data.kg.EntityIdsReader;
import org.crs4j.data.kg.IdSubgraphReader;
import org.crs4j.data.model.Dataset;
import org.crs4j.data.model.DatasetLoader;
import org.crs4j.data.model.Dialogue;
import org.crs4j.data.model.Item;
import org.crs4j.data.model.ItemCatalogue;
import org.crs4j.data.model.KnowledgeGraph;
import org.crs4j.data.model.MissingDataException;
import org.crs4j.data.model.Split;
import org.crs4j.data.movielens.MovieLensSupplement;

/**
 * INSPIRED in UniCRS's processed form with its DBpedia subgraph: the one dataset that is complete in shared. Split:
 * UniCRS's 801 / 99 / 99 (the files themselves). Items: the DBpedia movies the dialogues link to.
 */
public final class InspiredLoader implements DatasetLoader {
    public static final String NAME = "inspired";

    @Override public String name() { return NAME; }

    @Override
    public boolean present(Path dataDir) {
        return DataFile.find(dataDir.resolve(NAME), "unicrs/test_data_dbpedia.jsonl").isPresent();
    }

    @Override
    public Dataset load(Path dataDir, Options options) {
        Path root = dataDir.resolve(NAME);
        if (!Files.isDirectory(root)) throw new MissingDataException("no INSPIRED folder at " + root + " (run: crs4j data fetch inspired)");
        var report = options.report();
        Map<String, Item> items = new LinkedHashMap<>();
        Map<Split, List<Dialogue>> splits = new EnumMap<>(Split.class);
        splits.put(Split.TRAIN, InspiredUniCrsReader.read(DataFile.require(root, "unicrs/train_data_dbpedia.jsonl"), "train", items, report));
        splits.put(Split.VALID, InspiredUniCrsReader.read(DataFile.require(root, "unicrs/valid_data_dbpedia.jsonl"), "valid", items, report));
        splits.put(Split.TEST, InspiredUniCrsReader.read(DataFile.require(root, "unicrs/test_data_dbpedia.jsonl"), "test", items, report));
        List<String> entities = EntityIdsReader.read(DataFile.require(root, "unicrs/entity2id.json"));
        List<String> relations = EntityIdsReader.read(DataFile.require(root, "unicrs/relation2id.json"));
        KnowledgeGraph kg = IdSubgraphReader.read("INSPIRED DBpedia subgraph (UniCRS)", entities, relations,
                DataFile.require(root, "unicrs/dbpedia_subkg.json"), report);
        var known = new java.util.HashSet<>(entities);
        List<Item> catalogue = new ArrayList<>();
        for (Item it : items.values()) catalogue.add(known.contains(it.entity()) ? it : it.withEntity(null));
        var ml = MovieLensSupplement.attach(dataDir, catalogue, report);
        List<String> notes = new ArrayList<>();
        notes.add("split: UniCRS's split of INSPIRED (801 / 99 / 99 dialogues), as staged");
        notes.add("turns: UniCRS merged consecutive utterances of a speaker, so turns < the paper's utterances");
        notes.addAll(ml.notes());
        return new Dataset(NAME, splits, new ItemCatalogue(ml.items()), kg, notes);
    }

    /** The original release's partial TSVs (dev and test only), for utterance-level counts. */
    public static Map<String, List<Dialogue>> readOriginalPartial(Path dataDir, org.crs4j.data.io.ReadReport report) {
        Map<String, List<Dialogue>> out = new LinkedHashMap<>();
        for (String s : List.of("train", "dev", "test")) {
            DataFile.find(dataDir.resolve(NAME), "original/" + s + ".tsv").or(() -> DataFile.find(dataDir.resolve(NAME), "original_partial/" + s + ".tsv"))
                    .ifPresent(f -> out.put(s, InspiredTsvReader.read(f, report)));
        }
        return out;
    }
}
