package org.crs4j.tensor.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import org.crs4j.tensor.Tensor;

/** Element-wise comparison of a tensor with a reference: |a - e| <= atol + rtol * |e|, NaN equal to NaN. */
public final class TensorAssertions {
    private TensorAssertions() {}

    public static void assertClose(Ref expected, Tensor actual, double rtol, double atol, String what) {
        assertArrayEquals(expected.shape, actual.shape(), what + ": shape");
        Ref a = Ref.of(actual);
        for (int i = 0; i < expected.data.length; i++) {
            double e = expected.data[i], v = a.data[i];
            boolean ok = Double.isNaN(e) ? Double.isNaN(v)
                    : Double.isInfinite(e) ? e == v
                    : Math.abs(v - e) <= atol + rtol * Math.abs(e);
            if (!ok) {
                int[] idx = new int[expected.shape.length];
                Ref.unravel(i, expected.shape, idx);
                fail(what + ": at " + Arrays.toString(idx) + " expected " + e + " but was " + v
                        + " (|diff| " + Math.abs(v - e) + ", shape " + Arrays.toString(expected.shape) + ")");
            }
        }
    }

    public static void assertClose(Tensor expected, Tensor actual, double rtol, double atol, String what) {
        assertClose(Ref.of(expected), actual, rtol, atol, what);
    }

    public static void assertExact(Ref expected, Tensor actual, String what) {
        assertClose(expected, actual, 0, 0, what);
    }
}
