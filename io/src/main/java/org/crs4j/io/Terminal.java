package org.crs4j.io;

import java.io.Console;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether stderr is a terminal (where a progress bar may redraw itself) or a log file or pipe (where it must not). */
public final class Terminal {
    private Terminal() {}

    /**
     * True when stderr is a terminal. Java can only ask about the console as a whole (stdin and stdout), so on Linux
     * this reads where file descriptor 2 points ({@code /dev/pts/N}, {@code /dev/ttyN}); elsewhere it falls back to the
     * console, which errs towards plain lines when only stdout is redirected.
     */
    public static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (Exception e) {
            Console c = System.console();
            return c != null && c.isTerminal();
        }
    }
}
