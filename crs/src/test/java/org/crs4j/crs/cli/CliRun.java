package org.crs4j.crs.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The crs4j command line run in process as a user runs it: stdin in, stdout, stderr and the exit code out. */
final class CliRun {
    private CliRun() {}

    record Run(int code, String out, String err) {
        /** Stderr's lines, without the JVM's incubator-module warning. */
        List<String> errLines() {
            return err.lines().filter(l -> !l.startsWith("WARNING")).toList();
        }
    }

    static Run run(String... args) {
        return withStdin("", args);
    }

    /** Synchronized: the standard streams are global, and test classes may run in parallel. */
    static synchronized Run withStdin(String stdin, String... args) {
        InputStream oldIn = System.in;
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setIn(oldIn);
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }
}
