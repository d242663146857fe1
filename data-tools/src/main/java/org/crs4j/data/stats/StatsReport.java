package org.crs4j.data.stats;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.crs4j.data.model.Split;

/** Formats {@link DatasetStats} next to the published figures, with the share of each that is present. */
public final class StatsReport {
    private StatsReport() {}

    public static List<String> lines(DatasetStats s, PublishedFigures p, List<String> notes) {
        List<String> out = new ArrayList<>();
        out.add(String.format(Locale.ROOT, "%-34s %14s %14s %9s", s.name(), "present", "published", "share"));
        row(out, "dialogues", s.totalDialogues(), p == null ? null : (double) p.dialogues());
        out.add(String.format(Locale.ROOT, "  %-32s %14s", "train / valid / test",
                fmt(s.dialogues().get(Split.TRAIN)) + " / " + fmt(s.dialogues().get(Split.VALID)) + " / " + fmt(s.dialogues().get(Split.TEST))));
        row(out, "utterances", s.totalUtterances(), p == null ? null : (double) p.utterances());
        out.add(String.format(Locale.ROOT, "  %-32s %14s", "train / valid / test",
                fmt(s.utterances().get(Split.TRAIN)) + " / " + fmt(s.utterances().get(Split.VALID)) + " / " + fmt(s.utterances().get(Split.TEST))));
        ratio(out, "utterances per dialogue", s.utterancesPerDialogue(), p == null ? null : p.utterancesPerDialogue());
        ratio(out, "turns per dialogue (utterances/2)", s.utterancesPerDialogue() / 2, p == null ? null : p.turnsPerDialogue());
        ratio(out, "tokens per utterance", s.tokensPerUtterance(), p == null ? null : p.tokensPerUtterance());
        row(out, "items (catalogue)", s.items(), p == null || p.items() == null ? null : (double) p.items());
        row(out, "  items linked to a KG entity", s.itemsWithEntity(), null);
        row(out, "  items mentioned in dialogues", s.itemsMentioned(), null);
        row(out, "KG entities", s.kgEntities(), null);
        row(out, "KG relations", s.kgRelations(), null);
        row(out, "KG triples", s.kgTriples(), null);
        out.add(String.format(Locale.ROOT, "%-34s %14s", "prepared graph relations",
                fmt(s.graphRelations()) + "  (kept: > " + s.minRelationCount() + " directed edges; incl. self_loop)"));
        row(out, "prepared graph edges", s.graphEdges(), null);
        if (p != null) out.add("published figures: " + p.source());
        for (String n : notes) out.add("note: " + n);
        return out;
    }

    private static void row(List<String> out, String label, long present, Double published) {
        out.add(String.format(Locale.ROOT, "%-34s %14s %14s %9s", label, fmt(present),
                published == null ? "" : fmt(Math.round(published)), published == null || published == 0 ? "" : pct(present / published)));
    }

    private static void ratio(List<String> out, String label, double present, Double published) {
        out.add(String.format(Locale.ROOT, "%-34s %14.1f %14s", label, present, published == null ? "" : String.format(Locale.ROOT, "%.1f", published)));
    }

    static String fmt(long v) { return String.format(Locale.ROOT, "%,d", v); }

    static String pct(double share) { return String.format(Locale.ROOT, share < 0.01 ? "%.2f%%" : "%.1f%%", 100 * share); }
}
