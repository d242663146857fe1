package org.crs4j.crs.llmcrs;

import java.nio.file.Path;
import org.crs4j.data.itemdb.ItemDatabase;
import org.crs4j.data.itemdb.ItemDatabases;
import org.crs4j.data.model.DatasetLoader;
import org.crs4j.data.model.Split;
import org.crs4j.data.prepare.PrepareOptions;
import org.crs4j.data.prepare.PreparedData;
import org.crs4j.data.prepare.PreparedSplit;
import org.crs4j.data.prepare.Progress;

/**
 * Assembles what an LLMCRS run needs from the data directory, as the CLI, the chat and the server do: the prepared
 * dataset and its item database (from the caches {@code crs4j data prepare} writes, built on first use), the
 * environment, and the demonstrations.
 */
public final class LlmcrsSetup {
    private LlmcrsSetup() {}

    /** The environment of a dataset; the caller closes {@code environment.db()} when done. */
    public static Environment environment(Path dataDir, String dataset, String graph, Path cacheDir, Progress progress) {
        return environment(dataDir, dataset, graph, null, cacheDir, progress);
    }

    /**
     * The environment of a dataset prepared with explicit text linking ({@code linkText} null: data-tools' default),
     * as a trained recommender's {@code RecData} records it, so that its graph is the one the model was trained on.
     */
    public static Environment environment(Path dataDir, String dataset, String graph, Boolean linkText, Path cacheDir, Progress progress) {
        var load = new DatasetLoader.Options(org.crs4j.data.io.ReadReport.strict(), graph);
        PreparedData.Result prepared = PreparedData.obtain(dataDir, dataset, load, new PrepareOptions(null, linkText), cacheDir, false, progress);
        var db = ItemDatabases.obtain(dataDir, prepared, false);
        return Environment.of(prepared.dataset(), ItemDatabase.open(db.file()));
    }

    /**
     * The dialogues LLMCRS learns from (demonstrations, controller pairs, RLPF episodes, w/o E's IDF): train, or valid
     * where a dataset has no training dialogues (TG-ReDial here).
     */
    public static Split trainingSplit(Environment env) {
        PreparedSplit train = env.data().split(Split.TRAIN);
        return train != null && !train.dialogues().isEmpty() ? Split.TRAIN : Split.VALID;
    }

    public static Demonstrations demonstrations(Environment env, LlmcrsSettings settings) {
        PreparedSplit pool = env.data().split(trainingSplit(env));
        if (pool == null) return Demonstrations.none();
        return Demonstrations.from(pool, new SubTaskLabeler(env), env, settings.demoContextTurns(), settings.maxWordsPerTurn(), settings.demoPoolSize());
    }
}
