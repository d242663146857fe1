package org.crs4j.data.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides what happens to a malformed record: strict mode (the default) rethrows it, so the run stops with a message
 * that names file, line and field; lenient mode ({@code --lenient}) skips it and counts it per file, keeping the
 * first few messages so the user can still see what was wrong.
 */
public final class ReadReport {
    private static final int KEPT_MESSAGES = 5;

    private final boolean lenient;
    private final Map<String, Integer> skippedPerFile = new LinkedHashMap<>();
    private final List<String> firstMessages = new ArrayList<>();

    public ReadReport(boolean lenient) { this.lenient = lenient; }

    public static ReadReport strict() { return new ReadReport(false); }

    public static ReadReport lenient() { return new ReadReport(true); }

    public boolean isLenient() { return lenient; }

    /** Rethrows in strict mode; counts and remembers the problem in lenient mode. */
    public void malformed(MalformedDataException e) {
        if (!lenient) throw e;
        skippedPerFile.merge(e.file(), 1, Integer::sum);
        if (firstMessages.size() < KEPT_MESSAGES) firstMessages.add(e.getMessage());
    }

    /**
     * A file that holds no records of what it is for (a split file with no conversations, a catalogue with no movies):
     * strict mode stops naming it, lenient mode counts it like a malformed record, so nobody trains or evaluates on an
     * empty split without being told.
     */
    public void requireRecords(DataFile file, int count, String what) {
        if (count == 0) malformed(file.error("", "", "holds no " + what));
    }

    public int skipped() {
        return skippedPerFile.values().stream().mapToInt(Integer::intValue).sum();
    }

    public int skipped(String file) { return skippedPerFile.getOrDefault(file, 0); }

    public Map<String, Integer> skippedPerFile() { return Map.copyOf(skippedPerFile); }

    public List<String> firstMessages() { return List.copyOf(firstMessages); }

    /** One line per file with skipped records, for the end of a CLI run; empty when nothing was skipped. */
    public List<String> summary() {
        List<String> lines = new ArrayList<>();
        skippedPerFile.forEach((file, n) -> lines.add("skipped " + n + " malformed record" + (n == 1 ? "" : "s") + " in " + file));
        for (String m : firstMessages) lines.add("  e.g. " + m);
        return lines;
    }
}
