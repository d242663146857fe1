package org.crs4j.crs.cli;

import java.util.Locale;
import org.crs4j.data.model.Split;

/** The {@code --split} of the evaluation commands: a held-out split, never the one models are trained on. */
final class SplitOption {
    private SplitOption() {}

    static Split heldOut(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "test" -> Split.TEST;
            case "valid" -> Split.VALID;
            default -> throw new IllegalArgumentException("--split: must be test or valid, not " + name);
        };
    }
}
