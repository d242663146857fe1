package org.crs4j.data.prepare;

import static org.crs4j.data.prepare.VarIO.*;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;
import org.crs4j.data.kg.GraphOptions;
import org.crs4j.data.kg.RelationalGraph;
import org.crs4j.data.model.Item;
import org.crs4j.data.model.ItemCatalogue;
import org.crs4j.data.model.Role;
import org.crs4j.data.model.Split;

/**
 * The prepared form on disk: a small header (magic, format version, cache key) then the deflated payload, written with
 * varints. Written to a temporary file in the same folder and renamed over the old cache, so an interrupted run never
 * leaves a half-written cache behind. A cache whose key differs (inputs or options changed), whose version is older,
 * or that fails to parse is ignored and rebuilt.
 */
public final class PreparedCache {
    public static final int FORMAT_VERSION = 2;
    private static final long MAGIC = 0x4352533446505245L; // "CRS4FPRE"

    private PreparedCache() {}

    public static void write(Path file, String key, PreparedDataset d) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName().toString(), ".tmp");
        try {
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16))) {
                out.writeLong(MAGIC);
                out.writeInt(FORMAT_VERSION);
                out.writeUTF(key);
                var deflater = new java.util.zip.Deflater(1);
                var deflated = new DeflaterOutputStream(out, deflater, 1 << 16);
                var z = new DataOutputStream(new BufferedOutputStream(deflated, 1 << 16));
                payload(z, d);
                z.flush();
                deflated.finish();
                deflater.end();
                out.flush();
            }
            try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The cached dataset if the file exists, parses, and was written for exactly this key and format version. */
    public static Optional<PreparedDataset> read(Path file, String key) {
        if (!Files.isRegularFile(file)) return Optional.empty();
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            if (in.readLong() != MAGIC || in.readInt() != FORMAT_VERSION || !in.readUTF().equals(key)) return Optional.empty();
            return Optional.of(payload(new DataInputStream(new BufferedInputStream(new InflaterInputStream(in), 1 << 16))));
        } catch (IOException | RuntimeException e) { // a cache that cannot be read is rebuilt
            return Optional.empty();
        }
    }

    /** The key stored in a cache file, if it has a readable header. */
    public static Optional<String> storedKey(Path file) {
        if (!Files.isRegularFile(file)) return Optional.empty();
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
            if (in.readLong() != MAGIC || in.readInt() != FORMAT_VERSION) return Optional.empty();
            return Optional.of(in.readUTF());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static void payload(DataOutputStream out, PreparedDataset d) throws IOException {
        writeString(out, d.name());
        writeVarInt(out, d.notes().size());
        for (String n : d.notes()) writeString(out, n);
        // catalogue
        writeVarInt(out, d.items().size());
        for (Item it : d.items().items()) {
            writeString(out, it.key());
            writeString(out, it.name());
            writeVarInt(out, it.year());
            writeString(out, it.entity() == null ? "" : it.entity());
            writeVarInt(out, it.attributes().size());
            for (var e : new TreeMap<>(it.attributes()).entrySet()) { writeString(out, e.getKey()); writeString(out, e.getValue()); }
        }
        writeInts(out, d.itemEntity());
        // graph
        RelationalGraph g = d.graph();
        writeVarInt(out, g.entityKeys().size());
        for (String k : g.entityKeys()) writeString(out, k);
        writeVarInt(out, g.relationNames().size());
        for (String r : g.relationNames()) writeString(out, r);
        writeInts(out, g.sources());
        writeDeltas(out, g.destinations());
        writeDeltas(out, g.relationOffsets());
        writeDeltas(out, g.rowOffsets());
        writeInts(out, g.rowDestinations());
        writeDeltas(out, g.rowStarts());
        writeDeltas(out, g.itemEntities());
        writeVarInt(out, g.selfLoopRelation());
        var p = g.provenance();
        writeString(out, p.source());
        writeVarInt(out, p.rawRelations());
        writeVarInt(out, p.rawTriples());
        writeVarInt(out, p.droppedSelfTriples());
        writeVarInt(out, p.droppedRelations());
        writeVarInt(out, p.minRelationCount());
        writeVarInt(out, p.inverse().ordinal());
        // splits
        for (Split s : Split.values()) {
            PreparedSplit sp = d.split(s);
            writeVarInt(out, sp.dialogues().size());
            for (PreparedDialogue dl : sp.dialogues()) {
                writeString(out, dl.id());
                writeVarInt(out, dl.turns().size());
                for (PreparedTurn t : dl.turns()) {
                    out.writeByte(t.role().ordinal());
                    writeString(out, t.text());
                    writeInts(out, t.items());
                    writeInts(out, t.entities());
                    writeVarInt(out, t.acts().size());
                    for (String a : t.acts()) writeString(out, a);
                }
            }
            writeVarInt(out, sp.recommendations().size());
            for (RecommendationSample r : sp.recommendations()) {
                writeVarInt(out, r.dialogue());
                writeVarInt(out, r.turn());
                writeInts(out, r.contextEntities());
                writeVarInt(out, r.item());
                writeVarInt(out, r.itemEntity());
            }
            writeVarInt(out, sp.responses().size());
            for (ResponseSample r : sp.responses()) { writeVarInt(out, r.dialogue()); writeVarInt(out, r.turn()); }
        }
        var l = d.linking();
        for (long v : new long[] {l.itemMentions(), l.unknownItems(), l.itemEntityMentions(), l.annotatedEntities(),
                l.unknownEntities(), l.linkedExact(), l.linkedFuzzy(), l.targetsWithoutEntity()}) out.writeLong(v);
    }

    private static PreparedDataset payload(DataInputStream in) throws IOException {
        String name = readString(in);
        List<String> notes = strings(in);
        int nItems = readLength(in, 1 << 26);
        List<Item> items = new ArrayList<>(Math.min(nItems, 1 << 12));
        for (int i = 0; i < nItems; i++) {
            String key = readString(in), itemName = readString(in);
            int year = readVarInt(in);
            String entity = readString(in);
            int na = readLength(in, 1 << 16);
            Map<String, String> attrs = new TreeMap<>();
            for (int a = 0; a < na; a++) attrs.put(readString(in), readString(in));
            items.add(new Item(key, itemName, year, entity.isEmpty() ? null : entity, attrs));
        }
        int[] itemEntity = readInts(in);
        List<String> entityKeys = strings(in);
        List<String> relations = strings(in);
        int[] src = readInts(in), dst = readDeltas(in), relOff = readDeltas(in), rowOff = readDeltas(in);
        int[] rowDst = readInts(in), rowStart = readDeltas(in), itemEntities = readDeltas(in);
        int selfLoop = readVarInt(in);
        var prov = new RelationalGraph.Provenance(readString(in), readVarInt(in), readVarInt(in), readVarInt(in), readVarInt(in),
                readVarInt(in), GraphOptions.InverseRelations.values()[readVarInt(in)]);
        RelationalGraph graph = new RelationalGraph(entityKeys, relations, src, dst, relOff, rowOff, rowDst, rowStart, itemEntities, selfLoop, prov);
        Map<Split, PreparedSplit> splits = new EnumMap<>(Split.class);
        Role[] roles = Role.values();
        for (Split s : Split.values()) {
            int nd = readLength(in, 1 << 26);
            List<PreparedDialogue> dialogues = new ArrayList<>(Math.min(nd, 1 << 12));
            for (int i = 0; i < nd; i++) {
                String id = readString(in);
                int nt = readLength(in, 1 << 20);
                List<PreparedTurn> turns = new ArrayList<>(Math.min(nt, 1 << 12));
                for (int t = 0; t < nt; t++) {
                    Role role = roles[in.readUnsignedByte()];
                    String text = readString(in);
                    int[] turnItems = readInts(in), entities = readInts(in);
                    turns.add(new PreparedTurn(role, text, turnItems, entities, strings(in)));
                }
                dialogues.add(new PreparedDialogue(id, turns));
            }
            int nr = readLength(in, 1 << 28);
            List<RecommendationSample> rec = new ArrayList<>(Math.min(nr, 1 << 12));
            for (int i = 0; i < nr; i++) rec.add(new RecommendationSample(readVarInt(in), readVarInt(in), readInts(in), readVarInt(in), readVarInt(in)));
            int ns = readLength(in, 1 << 28);
            List<ResponseSample> resp = new ArrayList<>(Math.min(ns, 1 << 12));
            for (int i = 0; i < ns; i++) resp.add(new ResponseSample(readVarInt(in), readVarInt(in)));
            splits.put(s, new PreparedSplit(dialogues, rec, resp));
        }
        var linking = new LinkingStats(in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong());
        return new PreparedDataset(name, new ItemCatalogue(items), itemEntity, graph, splits, linking, notes);
    }

    private static List<String> strings(DataInputStream in) throws IOException {
        int n = readLength(in, 1 << 26);
        List<String> out = new ArrayList<>(Math.min(n, 1 << 12));
        for (int i = 0; i < n; i++) out.add(readString(in));
        return out;
    }
}
