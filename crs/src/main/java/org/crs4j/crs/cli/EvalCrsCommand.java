package org.crs4j.crs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.crs4j.crs.llm.Llm;
import org.crs4j.crs.llm.PromptTemplate;
import org.crs4j.crs.llm.rerank.LlmReranker;
import org.crs4j.crs.llm.rerank.RerankEvaluation;
import org.crs4j.crs.llm.rerank.RerankReport;
import org.crs4j.crs.llm.rerank.RerankSettings;
import org.crs4j.crs.rec.PopularityRecommender;
import org.crs4j.crs.rec.Recommender;
import org.crs4j.data.cli.DataDirectory;
import org.crs4j.data.model.DatasetLoader;
import org.crs4j.data.model.Datasets;
import org.crs4j.data.model.Split;
import org.crs4j.data.prepare.PrepareOptions;
import org.crs4j.data.prepare.PreparedData;
import org.crs4j.data.prepare.PreparedDataset;
import org.crs4j.data.prepare.PreparedSplit;
import org.crs4j.data.prepare.Progress;
import org.crs4j.tensor.io.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code crs4j eval crs}: seed 003's LLM re-ranking (Table 6) — Recall@1/3/5/10 of the LLM's re-ranked list next to
 * the recommender's on the same samples ({@link RerankEvaluation}, printed by {@link RerankReport}).
 */
@Command(name = "crs", mixinStandardHelpOptions = true,
        description = "Re-rank a recommender's candidates with an LLM (seed 003 Eq. 9) and compare Recall@1/3/5/10 on the same samples.")
public final class EvalCrsCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin LlmOptions llmOptions = new LlmOptions();

    @Option(names = "--dataset", paramLabel = "NAME", defaultValue = "redial", description = "Prepared dataset (default: ${DEFAULT-VALUE}).")
    String dataset;

    @Option(names = "--split", paramLabel = "SPLIT", defaultValue = "test", description = "test or valid (default: ${DEFAULT-VALUE}).")
    String splitName;

    @Option(names = "--recommender", paramLabel = "DIR|popularity", required = true,
            description = "popularity (most frequent training targets), movielens-popularity, or a trained model folder.")
    String recommender;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "0", description = "Evaluate N samples drawn at random (seeded) instead of all.")
    int limit;

    @Option(names = "--oracle", paramLabel = "MODE", defaultValue = "none",
            description = "none, truth (the target forced into the candidates) or mentioned (every item of the conversation added): seed 003 Table 6.")
    String oracle;

    @Option(names = "--settings", paramLabel = "FILE", description = "Properties overriding the shipped rerank.properties (candidates, list_length, context_turns, max_new_tokens, temperature, top_p, seed).")
    Path settingsFile;

    @Option(names = "--prompt", paramLabel = "FILE", description = "A prompt template replacing the shipped rerank-prompt.txt (slots {{context}}, {{candidates}}, {{k}}).")
    Path promptFile;

    @Option(names = "--output", paramLabel = "FILE", description = "Write every sample (candidates, I^llm, explanation, response, status) as JSON Lines.")
    Path output;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Datasets folder (default: $CRS4J_DATA_DIR, else ../shared/data).")
    Path dataDir;

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "Prepared caches (default: $CRS4J_CACHE_DIR, else ~/.cache/crs4j/data).")
    Path cacheDir;

    @Override
    public Integer call() {
        // everything that can be checked without the data or the model is checked first
        RerankEvaluation.Oracle mode = switch (oracle.toLowerCase(Locale.ROOT)) {
            case "none" -> RerankEvaluation.Oracle.NONE;
            case "truth" -> RerankEvaluation.Oracle.TRUTH;
            case "mentioned" -> RerankEvaluation.Oracle.MENTIONED;
            default -> throw new IllegalArgumentException("--oracle: must be none, truth or mentioned, not " + oracle);
        };
        Split split = SplitOption.heldOut(splitName);
        if (limit < 0) throw new IllegalArgumentException("--limit: must be >= 0, got " + limit);
        if (output != null) {
            Path parent = output.toAbsolutePath().getParent();
            if (parent == null || !Files.isDirectory(parent)) throw new IllegalArgumentException("--output " + output + ": the folder does not exist");
        }
        RerankSettings settings = RerankSettings.load(settingsFile);
        PromptTemplate prompt = LlmReranker.prompt(promptFile);
        var loader = Datasets.get(dataset);
        Path data0 = DataDirectory.resolve(dataDir, System.getenv(DataDirectory.ENV));
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (Llm llm = llmOptions.open()) { // a bad --llm is named before the dataset is read
            PreparedDataset data = PreparedData.obtain(data0, loader.name(), DatasetLoader.Options.strict(), PrepareOptions.defaults(),
                    DataDirectory.cache(cacheDir), false, Progress.NONE).dataset();
            PreparedSplit samples = data.split(split);
            if (samples == null || samples.recommendations().isEmpty())
                throw new IllegalArgumentException("--split " + splitName + ": " + data.name() + " has no recommendation samples in it");
            Recommender rec = recommender(recommender, data);
            var report = RerankEvaluation.run(data, split.label(), samples, rec, new LlmReranker(llm, prompt, settings), settings, mode, limit,
                    line -> { err.println(line); err.flush(); });
            if (output != null) write(output, report, data);
            RerankReport.print(out, report, rec.name(), llm.endpoint(), promptFile == null ? "rerank-prompt.txt (shipped)" : promptFile.toString());
        }
        return 0;
    }

    /**
     * The recommender {@code --recommender} names: a baseline, or a model folder written by {@code crs4j train rec}
     * (checked to be trained on this prepared data; refused with the file and field named otherwise).
     */
    static Recommender recommender(String spec, PreparedDataset data) {
        switch (spec) {
            case "popularity" -> { return PopularityRecommender.fromTrainingTargets(data); }
            case "movielens-popularity" -> { return PopularityRecommender.fromMovieLensRatings(data); }
            default -> { }
        }
        if (!Files.isDirectory(Path.of(spec)))
            throw new IllegalArgumentException("--recommender " + spec + ": not popularity, movielens-popularity or a model folder");
        try {
            return org.crs4j.crs.rec.CausalRecommender.load(Path.of(spec), data);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e.getMessage(), e);
        }
    }

    private static void write(Path file, RerankEvaluation.Report report, PreparedDataset data) {
        ObjectMapper json = new ObjectMapper();
        java.util.Map<Integer, String> titles = new java.util.HashMap<>();
        for (int i = data.itemEntity().length - 1; i >= 0; i--) if (data.itemEntity()[i] >= 0) titles.put(data.itemEntity()[i], data.items().get(i).title());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            for (RerankEvaluation.SampleOutcome s : report.samples()) {
                var call = report.calls().get(s.call());
                var r = call.result();
                ObjectNode o = json.createObjectNode();
                o.put("sample", s.sample());
                o.put("dialogue", s.dialogueId());
                o.put("turn", s.turn());
                o.put("target", data.items().get(s.targetItem()).title());
                o.put("rank_shown", s.rankShown());
                o.put("rank_llm", s.rankLlm());
                o.put("status", r.status().name().toLowerCase(Locale.ROOT));
                var cands = o.putArray("candidates");
                for (int e : s.candidates()) cands.add(titles.get(e));
                var llm = o.putArray("llm_list");
                for (int e : s.llmList()) llm.add(titles.get(e));
                var inv = o.putArray("invented");
                r.invented().forEach(inv::add);
                o.put("explanation", r.explanation());
                o.put("response", r.response());
                o.put("reference", call.reference());
                if (r.error() != null) o.put("error", r.error());
                o.put("call", s.call());
                bytes.write(json.writeValueAsBytes(o));
                bytes.write('\n');
            }
            ByteBuffer content = ByteBuffer.wrap(bytes.toByteArray());
            AtomicFiles.write(file, ch -> {
                while (content.hasRemaining()) ch.write(content);
            });
        } catch (IOException e) {
            throw new UncheckedIOException("--output " + file + ": " + e.getMessage(), e);
        }
    }
}
