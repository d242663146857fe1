package org.crs4j.models.t5;

import org.crs4j.models.tokenizer.SpecialTokens;
import org.crs4j.models.tokenizer.Tokenizer;

/**
 * A tokenizer seen through a model whose embedding has more rows than the tokenizer has ids. T5's has 32128 rows:
 * the 32000 SentencePiece pieces, the 100 sentinels {@code <extra_id_99>..<extra_id_0>} (32000..32099; in
 * tokenizer.json, absent from spiece.model) and 28 rows of padding. A model can generate any of them; the extra ids
 * decode to nothing, as special tokens do, so generated text never fails on them. Pieces are named as Hugging Face's
 * T5Tokenizer names them: {@code <extra_id_K>} for the first 100 ids past the tokenizer, K counting down.
 */
final class PaddedTokenizer implements Tokenizer {
    private final Tokenizer base;
    private final int vocab;

    private PaddedTokenizer(Tokenizer base, int vocab) {
        this.base = base;
        this.vocab = vocab;
    }

    /** The tokenizer itself when it covers the model's vocabulary, else a padded view. */
    static Tokenizer of(Tokenizer base, int modelVocab) {
        return base.vocabSize() >= modelVocab ? base : new PaddedTokenizer(base, modelVocab);
    }

    private boolean extra(int id) {
        return id >= base.vocabSize() && id < vocab;
    }

    @Override
    public int[] encode(String text) {
        return base.encode(text);
    }

    @Override
    public String decode(int[] ids) {
        int n = 0;
        int[] kept = new int[ids.length];
        for (int id : ids) {
            checkId(id);
            if (!extra(id)) kept[n++] = id;
        }
        return base.decode(n == ids.length ? ids : java.util.Arrays.copyOf(kept, n));
    }

    @Override
    public int vocabSize() {
        return vocab;
    }

    @Override
    public String piece(int id) {
        if (!extra(id)) return base.piece(id);
        int sentinel = base.vocabSize() + 99 - id;
        return sentinel >= 0 ? "<extra_id_" + sentinel + ">" : "";
    }

    @Override
    public int pieceId(String piece) {
        int id = base.pieceId(piece);
        if (id >= 0 || !piece.startsWith("<extra_id_") || !piece.endsWith(">")) return id;
        try {
            int k = Integer.parseInt(piece.substring(10, piece.length() - 1));
            int sid = base.vocabSize() + 99 - k;
            return k >= 0 && k < 100 && sid < vocab ? sid : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public SpecialTokens specialTokens() {
        return base.specialTokens();
    }

    @Override
    public boolean isSpecial(int id) {
        return extra(id) || base.isSpecial(id);
    }

    @Override
    public String describe() {
        return base.describe() + " (+" + (vocab - base.vocabSize()) + " model rows without text)";
    }
}
