package org.crs4j.data.prepare;

import org.crs4j.data.kg.GraphOptions;

/**
 * @param graph    relation filtering and inverse handling; null means the dataset's default ({@link #defaultGraph})
 * @param linkText whether to run the entity linker over utterances; null means the dataset's default: on where the
 *                 dataset has no entity annotations of its own (ReDial, TG-ReDial, OpenDialKG), off where it has
 *                 (INSPIRED, GoRecDial), as UniCRS and CRSLab use those annotations as they are
 */
public record PrepareOptions(GraphOptions graph, Boolean linkText) {
    public static PrepareOptions defaults() { return new PrepareOptions(null, null); }

    /**
     * KBRD's threshold for the KBRD/KGSF ReDial subgraph it was written for; every relation for the others (UniCRS's
     * and CRSLab's GoRecDial subgraphs were already filtered when built, and their loaders keep all relations).
     */
    public static GraphOptions defaultGraph(String dataset, String graphName) {
        boolean kbrdGraph = dataset.equals("redial") && (graphName == null || graphName.contains("KBRD"));
        return kbrdGraph ? GraphOptions.kbrd() : GraphOptions.keepAll();
    }

    public static boolean defaultLinkText(String dataset) {
        return !(dataset.equals("inspired") || dataset.equals("gorecdial"));
    }

    /** A stable text form, part of the cache key. */
    public String describe(String dataset, String graphName) {
        GraphOptions g = graph != null ? graph : defaultGraph(dataset, graphName);
        boolean l = linkText != null ? linkText : defaultLinkText(dataset);
        return "minRelationCount=" + g.minRelationCount() + ",inverse=" + g.inverse() + ",linkText=" + l;
    }
}
