package org.crs4j.models.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.crs4j.io.testing.Fuzz;
import org.crs4j.io.testing.Mutators;
import org.crs4j.models.tokenizer.Tokenizer;
import org.crs4j.models.tokenizer.Tokenizers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two reader families: Hugging Face tokenizer.json (with a tokenizer_config.json beside it now and then) and
 * SentencePiece .model protobufs. Each mutated file is loaded the way a model folder loads it and, when accepted,
 * encodes and decodes a few texts and every id: it must work or be refused with an exception naming the file.
 */
class TokenizerFuzzTest {
    static final List<String> JSON_SEEDS = List.of("json/tok512_legacy.json", "json/tok512_metaspace.json", "json/bytelevel_gpt2.json");
    static final List<String> SPM_SEEDS = List.of("spm/char.model", "spm/bpe_bytefallback.model", "spm/unigram_rules.model",
            "spm/unigram_user_symbols.model");
    static final String CONFIG = "{\"bos_token\": \"<s>\", \"eos_token\": \"</s>\", \"unk_token\": \"<unk>\", \"pad_token\": null,"
            + " \"added_tokens_decoder\": {\"0\": {\"content\": \"<unk>\", \"special\": true}}}";
    static final String[] TEXTS = {"Hello wörld 123!", " leading  spaces ", "<s> special </s> [MOVIE] ▁x", "日本語 😀 é", ""};

    @TempDir Path work;

    static byte[] resource(String name) {
        try (var in = TokenizerFuzzTest.class.getResourceAsStream("/org/crs4j/models/tokenizer/" + name)) {
            return in.readAllBytes();
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("missing test resource " + name, e);
        }
    }

    /**
     * A file refused at load (an IOException), or a text or id the loaded tokenizer refuses (an
     * IllegalArgumentException: an id in a hole of the vocabulary, a word a WordLevel model without unk_token lacks),
     * each naming the file.
     */
    static boolean expected(Throwable t) {
        return t instanceof IOException || t instanceof IllegalArgumentException;
    }

    /** Loads the folder's tokenizer as a model folder would, then encodes, decodes and names every id. */
    static void read(Path folder) throws IOException {
        Tokenizer t = Tokenizers.forModelFolder(folder);
        for (String s : TEXTS) {
            int[] ids = t.encode(s);
            for (int id : ids) {
                if (id < 0 || id >= t.vocabSize()) throw new AssertionError("encode gave id " + id + " outside [0, " + t.vocabSize() + ")");
            }
            t.decode(ids);
            var stream = t.decodeStream();
            for (int id : ids) stream.next(id);
            stream.flush();
        }
        int[] all = new int[t.vocabSize()];
        for (int i = 0; i < all.length; i++) all[i] = i;
        t.decode(all);
        for (int i = 0; i < Math.min(all.length, 2000); i++) {
            try {
                t.piece(i);
            } catch (IllegalArgumentException hole) {
                if (!hole.getMessage().contains(t.describe())) throw hole;
            }
        }
        t.specialTokens();
    }

    static Map<String, byte[]> jsonVariant(SplittableRandom rng) {
        Map<String, byte[]> v = new LinkedHashMap<>();
        byte[] base = resource(JSON_SEEDS.get(rng.nextInt(JSON_SEEDS.size())));
        int what = rng.nextInt(10);
        v.put("tokenizer.json", what < 8 ? (rng.nextInt(3) == 0 ? Mutators.json(base, rng) : Mutators.jsonField(base, rng)) : base);
        if (what >= 6) {
            byte[] cfg = CONFIG.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            v.put("tokenizer_config.json", what >= 8 ? Mutators.jsonField(cfg, rng) : cfg);
        }
        return v;
    }

    static Map<String, byte[]> spmVariant(SplittableRandom rng) {
        byte[] base = resource(SPM_SEEDS.get(rng.nextInt(SPM_SEEDS.size())));
        byte[] mutated = Mutators.bytes(base, rng);
        if (rng.nextInt(4) == 0) mutated = Mutators.bytes(mutated, rng);
        return Map.of(rng.nextBoolean() ? "tokenizer.model" : "spiece.model", mutated);
    }

    @Test
    void mutatedTokenizerJsonIsUsedOrRefusedNamingTheFile() throws IOException {
        Fuzz.Summary s = new Fuzz("tokenizer-json", TokenizerFuzzTest::read).expect(TokenizerFuzzTest::expected).run(20261207L, 500, Duration.ofSeconds(60), work,
                TokenizerFuzzTest::jsonVariant);
        System.out.println(s + " " + s.reasons());
        assertEquals(List.of(), s.failures());
        s.requireBothOutcomes(100);
    }

    @Test
    void mutatedSentencePieceModelsAreUsedOrRefusedNamingTheFile() throws IOException {
        Fuzz.Summary s = new Fuzz("sentencepiece", TokenizerFuzzTest::read).expect(TokenizerFuzzTest::expected).run(20261208L, 1500, Duration.ofSeconds(60), work,
                TokenizerFuzzTest::spmVariant);
        System.out.println(s + " " + s.reasons());
        assertEquals(List.of(), s.failures());
        s.requireBothOutcomes(100);
    }

    @Test
    void corpusOfEarlierFindings() throws Exception {
        for (String family : List.of("tokenizer-json")) { // the SentencePiece fuzz found nothing on the old code
            var url = TokenizerFuzzTest.class.getResource("/org/crs4j/models/fuzz-corpus/" + family);
            if (url == null) throw new AssertionError("no corpus for " + family);
            assertEquals(List.of(), new Fuzz(family, TokenizerFuzzTest::read).expect(TokenizerFuzzTest::expected).replay(Path.of(url.toURI()), work), family);
        }
    }

}
