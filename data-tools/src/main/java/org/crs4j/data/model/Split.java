package org.crs4j.data.model;

/** Dataset splits, in the order they are reported. */
public enum Split {
    TRAIN, VALID, TEST;

    public String label() { return name().toLowerCase(java.util.Locale.ROOT); }
}
