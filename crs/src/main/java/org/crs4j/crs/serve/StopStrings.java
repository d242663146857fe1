package org.crs4j.crs.serve;

import java.util.List;

/**
 * Cuts generated text at the first stop string, as OpenAI does: the stop string itself is not returned. Text is fed
 * piece by piece as tokens decode; what could still turn out to be the start of a stop string is held back, so a
 * streamed answer never shows text that the full answer would not contain.
 */
final class StopStrings {
    private final List<String> stops;
    private final StringBuilder pending = new StringBuilder();
    private boolean stopped;

    StopStrings(List<String> stops) {
        this.stops = List.copyOf(stops);
    }

    boolean stopped() {
        return stopped;
    }

    /** Adds decoded text; returns the text that is now certain to be output (possibly empty). */
    String push(String piece) {
        if (stopped) return "";
        if (stops.isEmpty()) return piece;
        pending.append(piece);
        int cut = -1;
        for (String s : stops) {
            int at = pending.indexOf(s);
            if (at >= 0 && (cut < 0 || at < cut)) cut = at;
        }
        if (cut >= 0) {
            stopped = true;
            String out = pending.substring(0, cut);
            pending.setLength(0);
            return out;
        }
        int hold = heldBack();
        String out = pending.substring(0, pending.length() - hold);
        pending.delete(0, pending.length() - hold);
        return out;
    }

    /** At the end of generation: the text held back, which no stop string completed. */
    String flush() {
        String out = stopped ? "" : pending.toString();
        pending.setLength(0);
        return out;
    }

    /** Length of the longest suffix of pending that is a proper prefix of a stop string. */
    private int heldBack() {
        String text = pending.toString();
        int best = 0;
        for (String s : stops) {
            for (int len = Math.min(s.length() - 1, text.length()); len > best; len--) {
                if (text.regionMatches(text.length() - len, s, 0, len)) {
                    best = len;
                    break;
                }
            }
        }
        return best;
    }
}
