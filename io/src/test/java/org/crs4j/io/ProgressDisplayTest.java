package org.crs4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** In a log (stderr not a terminal) progress is a few plain lines, never carriage returns. */
class ProgressDisplayTest {

    @Test
    void logsGetPlainLinesAtStartEveryTenSecondsAndEnd() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long[] now = {0};
        var p = new ProgressDisplay(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, " MiB", 1 << 20, () -> now[0]);
        p.start("redial_dataset.zip", 40L << 20);
        for (int i = 0; i < 40; i++) {
            now[0] += 500_000_000L; // half a second per MiB: 20 s in all
            p.advance(1 << 20);
        }
        p.done();
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertFalse(out.contains("\r"), out);
        assertEquals(List.of("redial_dataset.zip: 40.0 MiB to go", "redial_dataset.zip: 20.0 MiB of 40.0 MiB (50%)",
                "redial_dataset.zip: 40.0 MiB of 40.0 MiB (100%)", "redial_dataset.zip: 40.0 MiB done in 20.0 s"), out.lines().toList());
    }

    @Test
    void unknownTotalsAndCounts() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long[] now = {0};
        var p = new ProgressDisplay(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, "", 1, () -> now[0]);
        p.start("reading redial", -1);
        now[0] = 3_200_000_000L;
        p.done();
        p.done(); // a second done does nothing
        assertEquals(List.of("reading redial: started", "reading redial: done in 3.2 s"),
                bytes.toString(StandardCharsets.UTF_8).lines().toList());
    }

    @Test
    void aTerminalGetsTheBar() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        var p = new ProgressDisplay(new PrintStream(bytes, true, StandardCharsets.UTF_8), true, "", 1, System::nanoTime);
        p.start("linking", 10);
        p.advance(10);
        p.done();
        assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("\r"), "the bar redraws itself in place");
    }
}
