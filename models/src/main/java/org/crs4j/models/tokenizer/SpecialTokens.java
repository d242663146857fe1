package org.crs4j.models.tokenizer;

/** The special token ids a model needs; -1 marks one the tokenizer does not have. */
public record SpecialTokens(int bos, int eos, int pad, int unk) {
    public static final SpecialTokens NONE = new SpecialTokens(-1, -1, -1, -1);
}
