package org.crs4j.data.prepare;

/**
 * One recommendation example, the KBRD/CRSLab convention: at recommender turn {@code turn} of dialogue
 * {@code dialogue}, the entities of all earlier turns (each once, in order of first appearance) and one item the turn
 * mentions. A turn mentioning three movies gives three samples with the same context.
 *
 * @param item       catalogue index of the target
 * @param itemEntity the target's entity id in the prepared graph (targets outside the graph are not sampled)
 */
public record RecommendationSample(int dialogue, int turn, int[] contextEntities, int item, int itemEntity) {}
