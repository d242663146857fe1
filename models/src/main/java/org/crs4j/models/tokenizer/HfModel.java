package org.crs4j.models.tokenizer;

/** The {@code model} section of a {@code tokenizer.json}: turns one pre-tokenized word into ids. */
interface HfModel {
    void tokenize(String word, IntList out);

    /** Id of a vocabulary token, or -1. */
    int tokenToId(String token);

    /** Token of an id, or null when the id has none. */
    String idToToken(int id);

    /** One past the largest id. */
    int size();

    /** The unknown token's id, or -1. */
    int unkId();
}
