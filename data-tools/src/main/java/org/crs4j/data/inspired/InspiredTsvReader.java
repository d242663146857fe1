package org.crs4j.data.inspired;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.crs4j.data.io.Csv;
import org.crs4j.data.io.DataFile;
import org.crs4j.data.io.ReadReport;
import org.crs4j.data.model.Dialogue;
import org.crs4j.data.model.Role;
import org.crs4j.data.model.Turn;

/**
 * The original INSPIRED release ({@code data/dialog_data/{train,dev,test}.tsv}, Hayati et al. 2020): one utterance per
 * row, 19 tab-separated columns starting {@code dialog_id utt_id speaker turn_id text text_with_placeholder movies}.
 * The release writes a double quote inside {@code text} as {@code QUOTATION_MARK}; {@code movies} lists the titles
 * mentioned, separated by ";"; {@code expert_label} (column 15) the recommender's sociable or preference-elicitation
 * strategy, kept as the turn's act. Rows of a dialogue are contiguous and ordered by {@code utt_id}.
 */
public final class InspiredTsvReader {
    static final int COLUMNS = 19;
    /** {@code expert_label}: the recommender's strategy (opinion_inquiry, credibility, ...), kept as the turn's act. */
    static final int STRATEGY = 14;

    private InspiredTsvReader() {}

    public static List<Dialogue> read(DataFile file, ReadReport report) {
        Map<String, List<Turn>> dialogues = new LinkedHashMap<>();
        Map<String, Integer> lastUtt = new LinkedHashMap<>();
        boolean[] header = {true};
        Csv.forEach(file, '\t', false, report, (f, line) -> {
            String at = "line " + line;
            if (header[0]) {
                header[0] = false;
                if (!f.get(0).equals("dialog_id")) throw file.error(at, "", "expected the header starting with dialog_id");
                return;
            }
            if (f.size() == 1 && f.get(0).isEmpty()) return;
            if (f.size() != COLUMNS) throw file.error(at, "", "expected " + COLUMNS + " tab-separated columns, found " + f.size());
            String dialog = f.get(0);
            if (dialog.isBlank()) throw file.error(at, "dialog_id", "empty");
            int utt;
            try {
                utt = Integer.parseInt(f.get(1).strip());
            } catch (NumberFormatException e) {
                throw file.error(at, "utt_id", "expected an integer, got \"" + f.get(1) + "\"");
            }
            Role role;
            try {
                role = Role.parse(f.get(2));
            } catch (IllegalArgumentException e) {
                throw file.error(at, "speaker", e.getMessage());
            }
            Integer prev = lastUtt.get(dialog);
            if (prev != null && utt <= prev) throw file.error(at, "utt_id", "utterance " + utt + " comes after " + prev + " in dialogue " + dialog);
            String text = f.get(4).replace("QUOTATION_MARK", "\"");
            List<String> movies = new ArrayList<>();
            for (String m : f.get(6).split(";")) if (!m.isBlank()) movies.add(m.strip());
            lastUtt.put(dialog, utt);
            String strategy = f.get(STRATEGY).strip();
            dialogues.computeIfAbsent(dialog, k -> new ArrayList<>()).add(new Turn(role, text, movies, List.of(),
                    strategy.isEmpty() ? List.of() : List.of(strategy)));
        });
        List<Dialogue> out = new ArrayList<>();
        dialogues.forEach((id, turns) -> out.add(new Dialogue(id, turns)));
        report.requireRecords(file, out.size(), "conversations");
        return out;
    }
}
