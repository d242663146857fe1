package org.crs4j.data.prepare;

/**
 * What entity resolution did over all splits.
 *
 * @param itemMentions         item mentions resolved to a catalogue item
 * @param unknownItems         item mentions whose key is not in the catalogue (ignored)
 * @param itemEntityMentions   item mentions whose item is a graph entity
 * @param annotatedEntities    dataset-annotated entities found in the graph
 * @param unknownEntities      dataset-annotated entities not in the graph (ignored, as KBRD/KGSF/CRSLab do)
 * @param linkedExact          entities found in text by exact name match
 * @param linkedFuzzy          entities found in text by fuzzy (one-typo) match
 * @param targetsWithoutEntity recommended items that are not graph entities (not sampled)
 */
public record LinkingStats(long itemMentions, long unknownItems, long itemEntityMentions, long annotatedEntities,
                           long unknownEntities, long linkedExact, long linkedFuzzy, long targetsWithoutEntity) {}
