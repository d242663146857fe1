package org.crs4j.data.model;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Splits the "Name (year)" titles that ReDial, INSPIRED, TG-ReDial and MovieLens all use. */
public final class Titles {
    private static final Pattern TRAILING_YEAR = Pattern.compile("^(.*?)\\s*\\((\\d{4})\\)\\s*$");

    private Titles() {}

    /** A title split into its name and year (0 when the title carries none). */
    public record NameYear(String name, int year) {}

    public static NameYear split(String title) {
        String t = title.strip();
        Matcher m = TRAILING_YEAR.matcher(t);
        if (m.matches()) {
            int year = Integer.parseInt(m.group(2));
            String name = m.group(1).strip().replaceAll("\\s+", " ");
            if (!name.isEmpty()) return new NameYear(name, year);
        }
        // TG-ReDial writes "(0)" for an unknown year.
        return new NameYear(t.replaceAll("\\s*\\(0\\)\\s*$", "").replaceAll("\\s+", " "), 0);
    }
}
