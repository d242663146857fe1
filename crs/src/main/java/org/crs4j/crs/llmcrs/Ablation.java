package org.crs4j.crs.llmcrs;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The mechanisms seed 000's ablations remove: Table 8's schema-based instruction (w/o SI), demonstration-based
 * instruction (w/o DI) and summary-based generation (w/o SG), and Figures 3–4's sub-task management (w/o M: every
 * turn goes to the first registered recommendation expert, no detection or matching call). One pipeline; these
 * switches are where it differs.
 */
public enum Ablation {
    NO_SCHEMA("w/o-SI"), NO_DEMONSTRATIONS("w/o-DI"), NO_SUMMARY("w/o-SG"), NO_MANAGEMENT("w/o-M"), NO_EXPERTS("w/o-E");

    /** The labels, for option descriptions and errors. */
    public static final String CHOICES = "w/o-SI, w/o-DI, w/o-SG, w/o-M or w/o-E";

    private final String label;

    Ablation(String label) { this.label = label; }

    /** As the paper and the command line write it: {@code w/o-SI}. */
    public String label() { return label; }

    /** "w/o-SI,w/o-DG" or "SI,DI" (case and the "w/o" prefix optional); empty or "none" for none. */
    public static Set<Ablation> parse(String list) {
        Set<Ablation> out = EnumSet.noneOf(Ablation.class);
        if (list == null || list.isBlank() || list.strip().equalsIgnoreCase("none")) return out;
        for (String part : list.split(",")) {
            String p = part.strip().toUpperCase(Locale.ROOT).replaceFirst("^W/?O[-_ ]?", "");
            Ablation found = null;
            for (Ablation a : values()) if (a.label.substring(4).equals(p)) found = a;
            if (found == null) throw new IllegalArgumentException("--ablate: unknown mechanism \"" + part.strip() + "\" (use " + CHOICES + ")");
            out.add(found);
        }
        return out;
    }
}
