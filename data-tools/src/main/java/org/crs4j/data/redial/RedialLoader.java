package org.crs4j.data.redial;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.crs4j.data.io.DataFile;
import org.crs4j.data.io.Json;
import org.crs4j.data.io.ReadReport;
import org.crs4j.data.kg.EntityIdsReader;
import org.crs4j.data.kg.IdSubgraphReader;
import org.crs4j.data.model.Dataset;
import org.crs4j.data.model.DatasetLoader;
import org.crs4j.data.model.Dialogue;
import org.crs4j.data.model.Item;
import org.crs4j.data.model.KnowledgeGraph;
import org.crs4j.data.model.MissingDataException;
import org.crs4j.data.model.Split;
import org.crs4j.data.movielens.MovieLensSupplement;

/**
 * ReDial with the KBRD/KGSF DBpedia subgraph (default, as seed 003 uses "the subset of DBpedia provided by Chen et
 * al. 2019") or the UniCRS-style subgraph ({@code --graph unicrs}).
 *
 * <p>Splits. With the full release ({@code raw/train_data.jsonl} present): train = train file minus KGSF's valid
 * conversations, valid = KGSF's valid file, test = the official test file. With what shared holds (no full train
 * file): train = every other train-side conversation found (the raw-format union, plus the CFCRS-format valid
 * conversations not in it), valid = KGSF's valid split (901 conversations carved from the train file by KGSF and used
 * by CRSLab), test = the official test file (1,342).
 */
public final class RedialLoader implements DatasetLoader {
    public static final String NAME = "redial";

    @Override public String name() { return NAME; }

    @Override public List<String> graphVariants() { return List.of("kgsf", "unicrs"); }

    @Override
    public boolean present(Path dataDir) {
        Path root = dataDir.resolve(NAME);
        return DataFile.find(root, "raw/test_data.jsonl").isPresent() || DataFile.find(root, "raw/train_data.jsonl").isPresent();
    }

    @Override
    public Dataset load(Path dataDir, Options options) {
        Path root = dataDir.resolve(NAME);
        if (!Files.isDirectory(root)) throw new MissingDataException("no ReDial folder at " + root + " (run: crs4j data fetch redial)");
        ReadReport report = options.report();
        String variant = options.graph() == null ? "kgsf" : options.graph();
        List<String> notes = new ArrayList<>();

        List<Item> items = RedialMoviesReader.read(DataFile.require(root, "raw/movies_with_mentions.csv"), report);
        Map<String, String> movieToEntity = readMovieLinks(root, report);

        KnowledgeGraph kg = switch (variant) {
            case "kgsf" -> {
                List<String> entities = EntityIdsReader.read(DataFile.require(root, "kgsf/entity2entityId.json"));
                yield IdSubgraphReader.read("ReDial DBpedia subgraph (KBRD/KGSF)", entities, null, DataFile.require(root, "kgsf/subkg.json"), report);
            }
            case "unicrs" -> {
                List<String> entities = EntityIdsReader.read(DataFile.require(root, "unicrs_dbpedia/entity2id.json"));
                List<String> relations = EntityIdsReader.read(DataFile.require(root, "unicrs_dbpedia/relation2id.json"));
                yield IdSubgraphReader.read("ReDial DBpedia subgraph (UniCRS)", entities, relations, DataFile.require(root, "unicrs_dbpedia/dbpedia_subkg.json"), report);
            }
            default -> throw new IllegalArgumentException("unknown graph variant \"" + variant + "\" for redial (use kgsf or unicrs)");
        };
        Set<String> known = new java.util.HashSet<>(kg.entities());
        List<Item> linked = new ArrayList<>(items.size());
        for (Item it : items) {
            String e = movieToEntity.get(it.key());
            linked.add(e != null && known.contains(e) ? it.withEntity(e) : it);
        }
        var ml = MovieLensSupplement.attach(dataDir, linked, report);
        notes.addAll(ml.notes());

        Map<Split, List<Dialogue>> splits = new EnumMap<>(Split.class);
        splits.put(Split.TEST, RedialConversationReader.read(DataFile.require(root, "raw/test_data.jsonl"), report));
        Optional<DataFile> kgsfValid = DataFile.find(root, "kgsf/valid_data.jsonl");
        List<Dialogue> valid = kgsfValid.map(f -> RedialConversationReader.read(f, report)).orElse(List.of());
        Set<String> validIds = new java.util.HashSet<>();
        for (Dialogue d : valid) validIds.add(d.id());

        Optional<DataFile> fullTrain = DataFile.find(root, "raw/train_data.jsonl");
        Map<String, Dialogue> trainSide = new LinkedHashMap<>();
        if (fullTrain.isPresent()) {
            for (Dialogue d : RedialConversationReader.read(fullTrain.get(), report)) trainSide.putIfAbsent(d.id(), d);
            notes.add("split: train = official train file minus KGSF's valid conversations; valid = KGSF valid; test = official test");
        } else {
            int union = 0, cfcrsOnly = 0;
            Optional<DataFile> u = DataFile.find(root, "train_subsets_union/train_side_union.jsonl");
            if (u.isPresent()) for (Dialogue d : RedialConversationReader.read(u.get(), report)) if (trainSide.putIfAbsent(d.id(), d) == null) union++;
            for (Dialogue d : valid) trainSide.putIfAbsent(d.id(), d);
            Optional<DataFile> cf = DataFile.find(root, "cfcrs/valid_data.jsonl");
            if (cf.isPresent()) for (Dialogue d : RedialConversationReader.read(cf.get(), report)) if (trainSide.putIfAbsent(d.id(), d) == null) cfcrsOnly++;
            notes.add("split: the official train file (10,006 conversations) is missing; using the " + trainSide.size()
                    + " train-side conversations present (" + union + " from train_subsets_union, " + cfcrsOnly
                    + " only in cfcrs/valid_data in CFCRS's merged-turn form)");
            notes.add("split: valid = KGSF's valid split (" + valid.size() + " conversations carved from the train file, as CRSLab uses); "
                    + "train = the other " + (trainSide.size() - validIds.size()) + "; test = the official test file");
        }
        List<Dialogue> train = new ArrayList<>();
        for (Dialogue d : trainSide.values()) if (!validIds.contains(d.id())) train.add(d);
        splits.put(Split.TRAIN, train);
        splits.put(Split.VALID, valid);
        notes.add("graph: " + kg.name() + (variant.equals("kgsf") ? " (relation names are not in the staged files: relations are rel<id>)" : ""));
        return new Dataset(NAME, splits, new org.crs4j.data.model.ItemCatalogue(ml.items()), kg, notes);
    }

    /** KBRD's id2entity: ReDial movie id -> DBpedia URI (null for the movies KBRD could not link). */
    static Map<String, String> readMovieLinks(Path root, ReadReport report) {
        Map<String, String> out = new HashMap<>();
        DataFile.find(root, "kgsf/id2entity.json").ifPresent(f -> Json.forEachObjectMember(f, report, (key, value, at) -> {
            if (value.isNull()) return;
            if (!value.isTextual()) throw at.error(key, "expected a DBpedia URI or null, got " + Json.kind(value));
            out.put(key, value.textValue());
        }));
        return out;
    }


}
