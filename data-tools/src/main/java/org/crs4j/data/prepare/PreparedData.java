package org.crs4j.data.prepare;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.crs4j.data.model.Dataset;
import org.crs4j.data.model.DatasetLoader;
import org.crs4j.data.model.Datasets;
import org.crs4j.data.movielens.MovieLensSupplement;

/**
 * The entry point for code that trains on a dataset: returns the prepared dataset from the cache when the cache is
 * current, else reads, prepares and caches it.
 */
public final class PreparedData {
    private PreparedData() {}

    /** The prepared dataset, whether it came from the cache, and where the cache is. */
    public record Result(PreparedDataset dataset, boolean fromCache, Path cacheFile, DatasetLoader.Options loadOptions) {}

    public static Result obtain(Path dataDir, String datasetName, DatasetLoader.Options load, PrepareOptions prepare,
                                Path cacheDir, boolean rebuild, Progress progress) {
        DatasetLoader loader = Datasets.get(datasetName);
        String graph = load.graph() == null ? loader.graphVariants().getFirst() : load.graph();
        Path cacheFile = cacheDir.resolve(loader.name() + "-" + graph + ".prepared");
        String key = key(dataDir, loader, graph, load, prepare);
        if (!rebuild) {
            var cached = PreparedCache.read(cacheFile, key);
            if (cached.isPresent()) return new Result(cached.get(), true, cacheFile, load);
        }
        Dataset dataset = loader.load(dataDir, load);
        PreparedDataset prepared = Preparer.prepare(dataset, prepare, progress);
        try {
            PreparedCache.write(cacheFile, key, prepared);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the cache " + cacheFile + ": " + org.crs4j.io.Problems.reason(e)
                    + (e instanceof java.nio.file.FileSystemException f && f.getFile() != null && !f.getFile().equals(cacheFile.toString())
                    ? " (" + f.getFile() + ")" : "") + "; choose a writable folder with --cache-dir or CRS4J_CACHE_DIR", e);
        }
        return new Result(prepared, false, cacheFile, load);
    }

    static String key(Path dataDir, DatasetLoader loader, String graph, DatasetLoader.Options load, PrepareOptions prepare) {
        Path base = dataDir.toAbsolutePath();
        List<Path> inputs = new ArrayList<>();
        inputs.add(base.resolve(loader.name()));
        inputs.add(base.resolve(MovieLensSupplement.DIR));
        String graphName = loader.name().equals("redial") && graph.equals("kgsf") ? "KBRD" : graph;
        String options = "dataset=" + loader.name() + ",graph=" + graph + ",lenient=" + load.report().isLenient() + ","
                + prepare.describe(loader.name(), graphName);
        return CacheKey.of(inputs, base, options);
    }
}
