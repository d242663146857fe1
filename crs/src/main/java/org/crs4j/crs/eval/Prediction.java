package org.crs4j.crs.eval;

import java.util.List;

/**
 * One line of a predictions file: the ranked recommendation list of one test sample.
 *
 * @param dialogue the dialogue id as the dataset names it
 * @param turn     the index of the recommender turn in the prepared dialogue (consecutive utterances of one speaker
 *                 merged, as data-tools prepares them)
 * @param target   the ground-truth item id as the dataset names it
 * @param ranked   item ids, best first (crs4j writes the top 50)
 */
public record Prediction(String dialogue, int turn, String target, List<String> ranked) {
    public Prediction {
        ranked = List.copyOf(ranked);
    }

    /** The target's 1-based position in {@link #ranked}, or 0 when it is not in the list. */
    public int rank() {
        int i = ranked.indexOf(target);
        return i < 0 ? 0 : i + 1;
    }

    /** What identifies a sample across files: a turn mentioning two items makes two samples. */
    public Key key() {
        return new Key(dialogue, turn, target);
    }

    public record Key(String dialogue, int turn, String target) {
        @Override
        public String toString() {
            return "dialogue " + dialogue + " turn " + turn + " target " + target;
        }
    }
}
