package org.crs4j.data.stats;

import java.util.Map;

/**
 * The dataset statistics the papers print, to compare against what is on disk.
 *
 * @param utterancesPerDialogue seed 003 Table 1 "Avg Utter #" (null where not published)
 * @param turnsPerDialogue      seed 000 Table 3 "Avg turn per dialogue": about utterances / 2, a turn being one
 *                              seeker-recommender exchange
 * @param tokensPerUtterance    seed 000 Table 3
 */
public record PublishedFigures(int dialogues, int utterances, Double utterancesPerDialogue, Double turnsPerDialogue,
                               Double tokensPerUtterance, Integer items, String source) {

    public static final Map<String, PublishedFigures> BY_DATASET = Map.of(
            "redial", new PublishedFigures(10_006, 182_150, 18.2, null, null, null, "seed 003 Table 1 (Li et al. 2018)"),
            "opendialkg", new PublishedFigures(13_802, 91_209, 6.6, null, null, null, "seed 003 Table 1 (Moon et al. 2019)"),
            "gorecdial", new PublishedFigures(9_125, 170_904, null, 9.3, 8.4, 5_300, "seed 000 Table 3 (Kang et al. 2019)"),
            "tgredial", new PublishedFigures(10_000, 129_392, null, 6.5, 19.0, 33_834, "seed 000 Table 3 (Zhou et al. 2020)"),
            "inspired", new PublishedFigures(1_001, 35_811, null, null, null, null, "Hayati et al. 2020"));
}
