package org.crs4j.crs.cli;

import java.nio.file.Path;
import java.util.Set;
import org.crs4j.crs.llmcrs.Ablation;
import org.crs4j.crs.llmcrs.Demonstrations;
import org.crs4j.crs.llmcrs.Environment;
import org.crs4j.crs.llmcrs.LlmcrsSettings;
import org.crs4j.crs.llmcrs.LlmcrsSetup;
import org.crs4j.crs.llmcrs.PromptSet;
import org.crs4j.crs.llmcrs.experts.ExpertRegistry;
import org.crs4j.crs.llmcrs.experts.RegistrySource;
import org.crs4j.data.cli.DataDirectory;
import org.crs4j.data.model.Datasets;
import org.crs4j.data.prepare.Progress;
import picocli.CommandLine.Option;

/**
 * How an LLMCRS pipeline is assembled for the commands that train or evaluate a controller on a dataset (a picocli
 * mixin): where the data is, the prompts, the expert registry, the ablations and the prompt-length settings. The SFT
 * pairs, RLPF's episodes and the evaluation must be built with the same values, or the controller is asked prompts it
 * was not trained on.
 */
final class LlmcrsOptions {
    @Option(names = "--data-dir", paramLabel = "DIR", description = "Folder holding one sub-folder per dataset (default: $CRS4J_DATA_DIR, else ../shared/data).")
    Path dataDir;

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "Where prepared caches and item databases go (default: $CRS4J_CACHE_DIR, else ~/.cache/crs4j/data).")
    Path cacheDir;

    @Option(names = "--graph", paramLabel = "VARIANT", description = "Knowledge-graph variant (redial: kgsf (default) or unicrs).")
    String graph;

    @Option(names = "--prompts", paramLabel = "DIR", description = "A folder whose prompt files replace the shipped ones of the same name.")
    Path prompts;

    @Option(names = "--registry", paramLabel = "FILE", description = "The expert registry (default: the shipped one).")
    Path registry;

    @Option(names = "--ablate", paramLabel = "LIST", description = "Mechanisms to remove, comma-separated: " + org.crs4j.crs.llmcrs.Ablation.CHOICES + ".")
    String ablate;

    @Option(names = "--context-turns", paramLabel = "N", defaultValue = "4", description = "Turns of dialogue context the prompts show (default: ${DEFAULT-VALUE}).")
    int contextTurns;

    @Option(names = "--words-per-turn", paramLabel = "N", defaultValue = "40", description = "Words shown per turn (default: ${DEFAULT-VALUE}).")
    int wordsPerTurn;

    /** Everything a pipeline shares; the caller closes {@code env.db()}. */
    record Pipeline(Environment env, RegistrySource registry, PromptSet prompts, Demonstrations demonstrations, LlmcrsSettings settings,
                    Set<Ablation> ablations) {}

    /** Checks the options that need no data, so a bad value is named before anything is loaded. */
    Set<Ablation> check() {
        if (contextTurns < 1) throw new IllegalArgumentException("--context-turns " + contextTurns + ": must be >= 1");
        if (wordsPerTurn < 1) throw new IllegalArgumentException("--words-per-turn " + wordsPerTurn + ": must be >= 1");
        return Ablation.parse(ablate);
    }

    LlmcrsSettings settings() {
        var d = LlmcrsSettings.defaults();
        return new LlmcrsSettings(contextTurns, d.demoContextTurns(), wordsPerTurn, d.demoPoolSize(), d.detectionFallback());
    }

    Pipeline open(String dataset) {
        Set<Ablation> ablations = check();
        PromptSet promptSet = PromptSet.load(prompts);
        try {
            Datasets.get(dataset);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--dataset " + e.getMessage());
        }
        Environment env = LlmcrsSetup.environment(DataDirectory.resolve(dataDir, System.getenv(DataDirectory.ENV)), dataset, graph,
                DataDirectory.cache(cacheDir), Progress.NONE);
        try {
            ExpertRegistry reg = registry == null ? ExpertRegistry.shipped(env) : ExpertRegistry.load(registry, env, true);
            LlmcrsSettings s = settings();
            return new Pipeline(env, RegistrySource.fixed(reg), promptSet, LlmcrsSetup.demonstrations(env, s), s, ablations);
        } catch (RuntimeException e) {
            env.db().close();
            throw e;
        }
    }
}
