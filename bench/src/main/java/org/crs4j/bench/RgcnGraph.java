package org.crs4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.crs4j.data.io.DataFile;
import org.crs4j.data.io.ReadReport;
import org.crs4j.data.kg.EntityIdsReader;
import org.crs4j.data.kg.GraphBuilder;
import org.crs4j.data.kg.GraphOptions;
import org.crs4j.data.kg.IdSubgraphReader;
import org.crs4j.data.kg.RelationalGraph;
import org.crs4j.data.model.KnowledgeGraph;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.io.SafetensorsFile;
import org.crs4j.tensor.io.SafetensorsWriter;

/**
 * The graph the RGCN benchmarks run on, shared with the PyTorch script through a small safetensors file.
 *
 * <p>It is ReDial's DBpedia subgraph as UniCRS prepares it ({@code redial/unicrs_dbpedia} under the data directory):
 * 31,161 entities, 24 relations, every triple in both directions under its own relation, duplicates merged —
 * 162,642 directed edges. The self-loop relation of that preparation is not an edge list here: the layer's self-loop
 * weight W_0 plays its part. Without the data directory a synthetic graph with the same entity count and the same
 * per-relation edge counts (heavy-tailed endpoints) stands in, and the file says so.
 */
public record RgcnGraph(int nodes, int relations, int[] src, int[] dst, int[] rel, String description) {

    /** Edges per relation of the real graph (both directions), for the synthetic stand-in. */
    private static final int[] REDIAL_RELATION_EDGES = {188, 7226, 386, 224, 59370, 174, 7416, 11636, 10334, 1176, 6492,
            10474, 146, 1758, 74, 66, 15276, 11740, 2170, 330, 198, 436, 342, 15010};
    private static final int REDIAL_ENTITIES = 31_161;

    /** ReDial's UniCRS DBpedia subgraph from {@code dataDir/redial}, or the synthetic stand-in when it is absent. */
    public static RgcnGraph redialOrSynthetic(Path dataDir) {
        Path root = dataDir.resolve("redial");
        if (DataFile.find(root, "unicrs_dbpedia/dbpedia_subkg.json").isEmpty()) return synthetic();
        List<String> entities = EntityIdsReader.read(DataFile.require(root, "unicrs_dbpedia/entity2id.json"));
        List<String> relations = EntityIdsReader.read(DataFile.require(root, "unicrs_dbpedia/relation2id.json"));
        KnowledgeGraph kg = IdSubgraphReader.read("ReDial DBpedia subgraph (UniCRS)", entities, relations,
                DataFile.require(root, "unicrs_dbpedia/dbpedia_subkg.json"), ReadReport.strict());
        RelationalGraph g = GraphBuilder.build(kg, new int[0], GraphOptions.keepAll());
        int selfLoop = g.selfLoopRelation();
        int edges = g.relationOffsets()[selfLoop]; // the self-loop relation is last: drop its edges
        return new RgcnGraph(g.entityCount(), selfLoop, Arrays.copyOf(g.sources(), edges),
                Arrays.copyOf(g.destinations(), edges), Arrays.copyOf(g.edgeRelations(), edges),
                "ReDial DBpedia subgraph (UniCRS), " + dataDir.resolve("redial/unicrs_dbpedia"));
    }

    /** Same entity and per-relation edge counts as the real graph; endpoints drawn from a Zipf-like popularity. */
    public static RgcnGraph synthetic() {
        SplittableRandom r = new SplittableRandom(2018);
        int total = Arrays.stream(REDIAL_RELATION_EDGES).sum();
        int[] src = new int[total], dst = new int[total], rel = new int[total];
        int k = 0;
        for (int q = 0; q < REDIAL_RELATION_EDGES.length; q++) {
            for (int e = 0; e < REDIAL_RELATION_EDGES[q] / 2; e++) {
                int h = zipf(r), t = zipf(r);
                src[k] = h; dst[k] = t; rel[k++] = q;
                src[k] = t; dst[k] = h; rel[k++] = q;
            }
        }
        return new RgcnGraph(REDIAL_ENTITIES, REDIAL_RELATION_EDGES.length, src, dst, rel,
                "synthetic stand-in for the ReDial DBpedia subgraph (same entity and per-relation edge counts)");
    }

    /** An entity id with probability ~ 1/(rank+10), over a random permutation-free id space. */
    private static int zipf(SplittableRandom r) {
        double u = r.nextDouble();
        double hmax = Math.log(REDIAL_ENTITIES + 10.0) - Math.log(10.0);
        return Math.min(REDIAL_ENTITIES - 1, (int) (10.0 * Math.exp(u * hmax) - 10.0));
    }

    public int edges() {
        return src.length;
    }

    /**
     * A graph {@code factor} times larger with the same structure: {@code factor} copies of the nodes, and every edge
     * (s, d, r) once per copy c, into d's copy c, from s's copy in a random one, so that the copies are wired together
     * rather than disjoint. Each node keeps its in-degree per relation exactly, the relation mix and the heavy-tailed
     * degrees are the original's, and the sources of a destination are scattered over the whole larger graph (no
     * locality the original lacks). Deterministic for a given seed.
     */
    public RgcnGraph scaled(int factor, long seed) {
        if (factor < 1 || (long) nodes * factor > Integer.MAX_VALUE || (long) edges() * factor > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("cannot scale a graph of " + nodes + " nodes and " + edges() + " edges by " + factor);
        }
        SplittableRandom r = new SplittableRandom(seed);
        int e = edges();
        int[] s2 = new int[e * factor], d2 = new int[e * factor], r2 = new int[e * factor];
        for (int c = 0; c < factor; c++) {
            for (int i = 0; i < e; i++) {
                int k = c * e + i;
                d2[k] = dst[i] + c * nodes;
                s2[k] = src[i] + r.nextInt(factor) * nodes;
                r2[k] = rel[i];
            }
        }
        return new RgcnGraph(nodes * factor, relations, s2, d2, r2, description + ", scaled x" + factor
                + " (copies wired at random, seed " + seed + ")");
    }

    // ------------------------------------------------------------------ the file the PyTorch script reads

    public void write(Path file) throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("src", Tensor.of(src, src.length));
        t.put("dst", Tensor.of(dst, dst.length));
        t.put("rel", Tensor.of(rel, rel.length));
        SafetensorsWriter.write(file, t, Map.of("nodes", Integer.toString(nodes), "relations", Integer.toString(relations),
                "description", description));
    }

    public static RgcnGraph read(Path file) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            Map<String, String> m = f.metadata();
            return new RgcnGraph(Integer.parseInt(m.get("nodes")), Integer.parseInt(m.get("relations")),
                    f.tensor("src").toIntArray(), f.tensor("dst").toIntArray(), f.tensor("rel").toIntArray(),
                    m.get("description"));
        }
    }

    /** The graph file named by the benchmark parameter, written first from the data directory if it is missing. */
    public static RgcnGraph readOrCreate(Path file, Path dataDir) throws IOException {
        if (!Files.isRegularFile(file)) {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            redialOrSynthetic(dataDir).write(file);
        }
        return read(file);
    }

    /**
     * {@code RgcnGraph OUT.safetensors [DATA_DIR [FACTOR]]}: writes the benchmark graph (default data dir
     * ../shared/data), {@link #scaled} by FACTOR when given.
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 3) {
            System.err.println("usage: RgcnGraph OUT.safetensors [DATA_DIR [FACTOR]]");
            System.exit(2);
        }
        RgcnGraph g = redialOrSynthetic(Path.of(args.length > 1 ? args[1] : "../shared/data"));
        if (args.length > 2) {
            int factor;
            try {
                factor = Integer.parseInt(args[2]);
            } catch (NumberFormatException e) {
                factor = 0;
            }
            if (factor < 1) {
                System.err.println("RgcnGraph: FACTOR: expected a positive integer, got " + args[2]);
                System.exit(2);
            }
            g = g.scaled(factor, 2018);
        }
        g.write(Path.of(args[0]));
        System.out.println(args[0] + ": " + g.nodes + " nodes, " + g.relations + " relations, " + g.edges() + " edges ("
                + g.description + ")");
    }
}
