package org.crs4j.crs.llmcrs.experts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.crs4j.crs.llmcrs.Environment;

/**
 * Where a pipeline gets its registry at the start of each turn. {@link #watching} re-reads the file when its
 * modification time or size changed, so an expert added to the file is seen by the next turn's model matching
 * without a restart; a file that no longer loads keeps the previous registry and reports why (the turn counts a
 * fallback).
 */
public interface RegistrySource {
    /** The registry for this turn, and the one-line reason a changed file was not taken (null when none). */
    record Snapshot(ExpertRegistry registry, String reloadError) {}

    Snapshot current();

    static RegistrySource fixed(ExpertRegistry registry) {
        Snapshot s = new Snapshot(registry, null);
        return () -> s;
    }

    /**
     * @param probe whether the first load checks that HTTP endpoints answer (later reloads do not: a turn must not
     *              wait on probes; an endpoint down at run time is a counted fallback)
     */
    static RegistrySource watching(Path file, Environment env, boolean probe) {
        return new Watching(file, env, ExpertRegistry.load(file, env, probe));
    }

    final class Watching implements RegistrySource {
        private final Path file;
        private final Environment env;
        private ExpertRegistry registry;
        private long mtime, size;

        Watching(Path file, Environment env, ExpertRegistry first) {
            this.file = file;
            this.env = env;
            this.registry = first;
            long[] s = stamp();
            mtime = s[0];
            size = s[1];
        }

        @Override
        public synchronized Snapshot current() {
            long[] s = stamp();
            if (s[0] == mtime && s[1] == size) return new Snapshot(registry, null);
            mtime = s[0];
            size = s[1];
            try {
                registry = ExpertRegistry.load(file, env, false);
                return new Snapshot(registry, null);
            } catch (IllegalArgumentException e) {
                return new Snapshot(registry, e.getMessage());
            }
        }

        private long[] stamp() {
            try {
                return new long[] {Files.getLastModifiedTime(file).toMillis(), Files.size(file)};
            } catch (IOException e) {
                return new long[] {-1, -1};
            }
        }
    }
}
