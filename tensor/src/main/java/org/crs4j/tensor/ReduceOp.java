package org.crs4j.tensor;

/** Reductions the backends implement; mean, var and logsumexp are composed from these in {@link Tensor}. */
public enum ReduceOp {
    SUM, MAX, MIN
}
