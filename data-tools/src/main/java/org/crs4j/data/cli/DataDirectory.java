package org.crs4j.data.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.crs4j.data.model.MissingDataException;

/**
 * Where the datasets are: {@code --data-dir}, else {@code $CRS4J_DATA_DIR}, else {@code ../shared/data} relative to
 * the current directory (where the project sits beside its shared folder).
 */
public final class DataDirectory {
    public static final String ENV = "CRS4J_DATA_DIR";
    static final String DEFAULT = "../shared/data";

    private DataDirectory() {}

    public static Path resolve(Path option, String env) {
        if (option != null) return existing(option, "--data-dir");
        if (env != null && !env.isBlank()) return existing(Path.of(env), ENV);
        Path def = Path.of(DEFAULT);
        if (Files.isDirectory(def)) return def;
        throw new MissingDataException("no data directory: pass --data-dir DIR or set " + ENV
                + " (the default " + DEFAULT + " does not exist under " + Path.of("").toAbsolutePath() + ")");
    }

    /**
     * Where {@code fetch} writes: the same choice as {@link #resolve} ({@code --data-dir}, {@code $CRS4J_DATA_DIR},
     * {@code ../shared/data}), but the folder need not exist yet; it must not be a file.
     */
    public static Path forWriting(Path option, String env) {
        Path p = option != null ? option : env != null && !env.isBlank() ? Path.of(env) : Path.of(DEFAULT);
        if (Files.exists(p) && !Files.isDirectory(p)) {
            throw new MissingDataException("data directory " + p + " (from " + (option != null ? "--data-dir" : env != null && !env.isBlank() ? ENV : "the default")
                    + ") is not a folder");
        }
        return p;
    }

    private static Path existing(Path p, String from) {
        if (!Files.isDirectory(p)) throw new MissingDataException("data directory " + p + " (from " + from + ") does not exist or is not a folder");
        return p;
    }

    /** Cache folder: {@code --cache-dir}, else {@code $CRS4J_CACHE_DIR}, else {@code $XDG_CACHE_HOME/crs4j/data}, else {@code ~/.cache/crs4j/data}. */
    public static Path cache(Path option) {
        if (option != null) return option;
        String env = System.getenv("CRS4J_CACHE_DIR");
        if (env != null && !env.isBlank()) return Path.of(env);
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("crs4j").resolve("data");
    }
}
