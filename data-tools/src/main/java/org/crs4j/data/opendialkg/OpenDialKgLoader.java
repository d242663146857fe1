package org.crs4j.data.opendialkg;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.crs4j.data.io.DataFile;
import org.crs4j.data.io.TextLines;
import org.crs4j.data.kg.TripleFileReader;
import org.crs4j.data.model.Dataset;
import org.crs4j.data.model.DatasetLoader;
import org.crs4j.data.model.Dialogue;
import org.crs4j.data.model.Item;
import org.crs4j.data.model.ItemCatalogue;
import org.crs4j.data.model.KnowledgeGraph;
import org.crs4j.data.model.MissingDataException;
import org.crs4j.data.model.Split;
import org.crs4j.data.model.Turn;

/**
 * OpenDialKG (Moon et al. 2019): {@code opendialkg_entities.txt}, {@code opendialkg_relations.txt} (present in shared),
 * {@code opendialkg_triples.txt} and {@code opendialkg.csv} (missing from shared; read when a user has them). The
 * release has no split file; seed 003 states 75/15/15 (which sums past 100%), Moon et al. used 70/15/15: this loader
 * uses 70/15/15 of a shuffle with seed {@value #SPLIT_SEED}. Items are the entities assistants' KG walks end on.
 */
public final class OpenDialKgLoader implements DatasetLoader {
    public static final String NAME = "opendialkg";
    public static final long SPLIT_SEED = 2019;

    @Override public String name() { return NAME; }

    @Override
    public boolean present(Path dataDir) {
        return DataFile.find(dataDir.resolve(NAME), "opendialkg_entities.txt").isPresent();
    }

    @Override
    public Dataset load(Path dataDir, Options options) {
        Path root = dataDir.resolve(NAME);
        if (!Files.isDirectory(root)) throw new MissingDataException("no OpenDialKG folder at " + root + " (run: crs4j data fetch opendialkg)");
        var report = options.report();
        List<String> notes = new ArrayList<>();
        List<String> entityLines = TextLines.readAll(DataFile.require(root, "opendialkg_entities.txt"));
        List<String> entities = nonBlank(entityLines);
        if (entities.size() < entityLines.size())
            notes.add("graph: " + (entityLines.size() - entities.size()) + " blank line(s) in opendialkg_entities.txt skipped ("
                    + entities.size() + " entities of " + entityLines.size() + " lines)");
        List<String> relations = nonBlank(TextLines.readAll(DataFile.require(root, "opendialkg_relations.txt")));
        var triples = DataFile.find(root, "opendialkg_triples.txt");
        KnowledgeGraph kg = triples.isPresent()
                ? TripleFileReader.read("OpenDialKG KG", triples.get(), entities, relations, report)
                : KnowledgeGraph.empty("OpenDialKG KG (entities and relations only: triples missing)", entities).withRelations(relations);
        if (triples.isEmpty()) notes.add("graph: opendialkg_triples.txt is missing (1,190,658 triples in the release): entities and relations only");
        if (kg.entities().size() > entities.size())
            notes.add("graph: " + (kg.entities().size() - entities.size()) + " triple entities are not in opendialkg_entities.txt (added)");

        Map<Split, List<Dialogue>> splits = new EnumMap<>(Split.class);
        Map<String, Item> items = new LinkedHashMap<>();
        var csv = DataFile.find(root, "opendialkg.csv");
        if (csv.isPresent()) {
            List<Dialogue> all = OpenDialKgDialogueReader.read(csv.get(), report);
            for (Dialogue d : all) for (Turn t : d.turns()) for (String it : t.items()) items.putIfAbsent(it, new Item(it, it, 0, it, Map.of()));
            List<Dialogue> shuffled = new ArrayList<>(all);
            Collections.shuffle(shuffled, new Random(SPLIT_SEED));
            int nTrain = (int) Math.round(shuffled.size() * 0.70), nValid = (int) Math.round(shuffled.size() * 0.15);
            splits.put(Split.TRAIN, shuffled.subList(0, nTrain));
            splits.put(Split.VALID, shuffled.subList(nTrain, Math.min(shuffled.size(), nTrain + nValid)));
            splits.put(Split.TEST, shuffled.subList(Math.min(shuffled.size(), nTrain + nValid), shuffled.size()));
            notes.add("split: the release has none; 70/15/15 of a seeded shuffle (seed " + SPLIT_SEED + "), as Moon et al. (seed 003 writes 75/15/15)");
        } else {
            notes.add("dialogues: opendialkg.csv is missing (13,802 dialogues in the release): no dialogues, no split");
        }
        var known = new java.util.HashSet<>(kg.entities());
        List<Item> catalogue = new ArrayList<>();
        for (Item it : items.values()) catalogue.add(known.contains(it.entity()) ? it : it.withEntity(null));
        return new Dataset(NAME, splits, new ItemCatalogue(catalogue), kg, notes);
    }

    private static List<String> nonBlank(List<String> lines) {
        List<String> out = new ArrayList<>(lines.size());
        for (String l : lines) if (!l.isBlank()) out.add(l.strip());
        return out;
    }
}
