package org.crs4j.data.prepare;

/**
 * One response-generation example: turns {@code 0..turn-1} of the dialogue are the context, turn {@code turn} the
 * response (its role tells who speaks; CRSLab trains on the recommender's). Stored as indices so the context text is
 * not copied once per sample.
 */
public record ResponseSample(int dialogue, int turn) {}
