package org.crs4j.models.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.crs4j.autograd.GradMode;
import org.crs4j.io.testing.Fuzz;
import org.crs4j.io.testing.Mutators;
import org.crs4j.models.LanguageModel;
import org.crs4j.models.LanguageModels;
import org.crs4j.models.generation.GenerationLimitException;
import org.crs4j.models.generation.Generation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The config family: config.json and generation_config.json of LLaMA and T5 folders, mutated (fields removed, sizes
 * scaled towards 2^31, ill-typed values, broken JSON, deep nesting, trailing content) beside the fixtures' real
 * weights. Each variant is loaded and, when accepted, generates three tokens and scores one: it must either work or be
 * refused with an exception naming config.json, generation_config.json or the weights file.
 */
class ModelFolderFuzzTest {
    static final List<String> FIXTURES = List.of("llama/fixtures/untied-gqa", "llama/fixtures/mqa-llama3",
            "llama/fixtures/linear-tied", "llama/fixtures/dynamic", "llama/fixtures/headdim-bias", "t5/fixtures/v1_1",
            "t5/fixtures/original", "t5/fixtures/sharded-bf16");
    static final String GENERATION = "{\"do_sample\": false, \"max_new_tokens\": 5, \"eos_token_id\": 1, \"num_beams\": 1,"
            + " \"decoder_start_token_id\": 0, \"temperature\": 1.0, \"top_k\": 50, \"top_p\": 1.0, \"length_penalty\": 1.0}";

    @TempDir Path work;

    static Path fixture(String name) {
        try {
            return Path.of(ModelFolderFuzzTest.class.getResource("/org/crs4j/models/" + name + "/config.json").toURI()).getParent();
        } catch (Exception e) {
            throw new IllegalStateException(name, e);
        }
    }

    /** Loads the variant: its mutated JSON files, the fixture's other files (weights, tokenizer) beside them. */
    static void read(Path folder) throws Exception {
        Path base = fixture(Files.readString(folder.resolve("fixture")).strip());
        try (Stream<Path> files = Files.list(base)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (name.equals("reference.json") || Files.exists(folder.resolve(name))) continue;
                Files.createSymbolicLink(folder.resolve(name), f);
            }
        }
        try (LanguageModel lm = LanguageModels.load(folder); var off = GradMode.off()) {
            int[] prompt = lm.isEncoderDecoder() ? new int[] {3, 1} : new int[] {1, 3};
            try {
                Generation.generate(lm.decoder(), new int[][] {prompt}, lm.defaults().withMaxNewTokens(3), null);
                lm.logProbs(new int[][] {prompt}, new int[][] {{2}});
            } catch (GenerationLimitException tooLong) {
                // a refusal with the numbers, before any work: what a tiny max_position_embeddings must give
            }
        }
    }

    static Map<String, byte[]> variant(SplittableRandom rng) {
        try {
            String fixture = FIXTURES.get(rng.nextInt(FIXTURES.size()));
            Path base = fixture(fixture);
            Map<String, byte[]> v = new LinkedHashMap<>();
            v.put("fixture", fixture.getBytes(StandardCharsets.UTF_8));
            byte[] config = Files.readAllBytes(base.resolve("config.json"));
            byte[] gen = Files.exists(base.resolve("generation_config.json"))
                    ? Files.readAllBytes(base.resolve("generation_config.json")) : GENERATION.getBytes(StandardCharsets.UTF_8);
            int what = rng.nextInt(10);
            if (what < 7) {
                v.put("config.json", rng.nextInt(3) == 0 ? Mutators.json(config, rng) : Mutators.jsonField(config, rng));
                if (rng.nextBoolean()) v.put("generation_config.json", gen);
            } else {
                v.put("config.json", config);
                v.put("generation_config.json", rng.nextInt(3) == 0 ? Mutators.json(gen, rng) : Mutators.jsonField(gen, rng));
            }
            return v;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void mutatedConfigsAreUsedOrRefusedNamingTheFile() throws IOException {
        Fuzz.Summary s = new Fuzz("model-config", ModelFolderFuzzTest::read).run(20261206L, 600, Duration.ofSeconds(60), work,
                ModelFolderFuzzTest::variant);
        System.out.println(s + " " + s.reasons());
        assertEquals(List.of(), s.failures());
        s.requireBothOutcomes(100);
    }

    @Test
    void corpusOfEarlierFindings() throws Exception {
        Path corpus = Path.of(ModelFolderFuzzTest.class.getResource("/org/crs4j/models/fuzz-corpus/model-config").toURI());
        assertEquals(List.of(), new Fuzz("model-config", ModelFolderFuzzTest::read).replay(corpus, work));
    }
}
