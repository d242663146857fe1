package org.crs4j.models.t5;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.crs4j.nn.transformer.RelativePositionBias;
import org.junit.jupiter.api.Test;

/**
 * T5's relative position buckets (nn's RelativePositionBias.bucket) against values worked out by hand from Hugging
 * Face's {@code T5Attention._relative_position_bucket} with T5's settings (32 buckets, max distance 128);
 * relative position = key - query.
 *
 * <p>Bidirectional (encoder): 16 buckets per direction, keys after the query add 16; distances below max_exact = 8 are
 * their own bucket, larger ones get 8 + floor(log(d / 8) / log(128 / 8) * 8), at most 15.
 * Causal (decoder): keys after the query all fall in bucket 0; 32 buckets for the past, max_exact = 16, so
 * 16 + floor(log(d / 16) / log(128 / 16) * 16), at most 31.
 */
class RelativePositionBucketTest {

    private static int bi(int rel) {
        return RelativePositionBias.bucket(rel, true, 32, 128);
    }

    private static int causal(int rel) {
        return RelativePositionBias.bucket(rel, false, 32, 128);
    }

    @Test
    void bidirectionalBuckets() {
        assertEquals(0, bi(0));
        assertEquals(3, bi(-3));         // three back: exact
        assertEquals(16 + 3, bi(3));     // three ahead: the other half
        assertEquals(7, bi(-7));         // last exact distance
        assertEquals(8, bi(-8));         // log(8/8) = 0                    -> 8 + 0
        assertEquals(8, bi(-9));         // log(9/8)/log 16 * 8 = 0.34     -> 8 + 0
        assertEquals(9, bi(-15));        // log(15/8)/log 16 * 8 = 1.81    -> 8 + 1
        assertEquals(10, bi(-16));       // log 2/log 16 * 8 = 2 exactly    -> 8 + 2
        assertEquals(10, bi(-20));       // log 2.5/log 16 * 8 = 2.64      -> 8 + 2
        assertEquals(12, bi(-32));       // log 4/log 16 * 8 = 4 exactly    -> 8 + 4
        assertEquals(14, bi(-64));       // log 8/log 16 * 8 = 6 exactly    -> 8 + 6
        assertEquals(15, bi(-127));      // 7.98                            -> 15
        assertEquals(15, bi(-128));      // 8 -> 16, capped at 15
        assertEquals(15, bi(-1000));
        assertEquals(16 + 1, bi(1));
        assertEquals(16 + 8, bi(8));
        assertEquals(16 + 10, bi(20));
        assertEquals(16 + 12, bi(32));
        assertEquals(16 + 15, bi(127));
        assertEquals(31, bi(1000));
    }

    @Test
    void causalBuckets() {
        assertEquals(0, causal(5));      // the future: bucket 0 (masked anyway)
        assertEquals(0, causal(0));
        assertEquals(1, causal(-1));
        assertEquals(15, causal(-15));   // last exact distance
        assertEquals(16, causal(-16));   // log(16/16) = 0                  -> 16 + 0
        assertEquals(16, causal(-17));   // log(17/16)/log 8 * 16 = 0.47   -> 16 + 0
        assertEquals(21, causal(-32));   // log 2/log 8 * 16 = 5.33        -> 16 + 5
        assertEquals(23, causal(-40));   // log 2.5/log 8 * 16 = 7.05      -> 16 + 7
        assertEquals(26, causal(-64));   // log 4/log 8 * 16 = 10.67       -> 16 + 10
        assertEquals(30, causal(-100));  // log 6.25/log 8 * 16 = 14.10    -> 16 + 14
        assertEquals(31, causal(-127));  // 15.94                           -> 16 + 15
        assertEquals(31, causal(-128));  // 16 -> 32, capped at 31
        assertEquals(31, causal(-200));
    }

    @Test
    void smallSettingsOfTheFixtures() {
        // 8 buckets, max distance 20 (the v1_1 fixture): bidirectional 4 per side, max_exact 2
        assertEquals(1, RelativePositionBias.bucket(-1, true, 8, 20));
        assertEquals(2, RelativePositionBias.bucket(-2, true, 8, 20));  // log(1) = 0       -> 2
        assertEquals(2, RelativePositionBias.bucket(-6, true, 8, 20));  // log 3/log 10 * 2 = 0.95 -> 2
        assertEquals(3, RelativePositionBias.bucket(-7, true, 8, 20));  // log 3.5/log 10 * 2 = 1.09 -> 3
        assertEquals(3, RelativePositionBias.bucket(-50, true, 8, 20)); // capped at 3
        assertEquals(4 + 3, RelativePositionBias.bucket(9, true, 8, 20));
        // causal: 8 buckets, max_exact 4
        assertEquals(4, RelativePositionBias.bucket(-4, false, 8, 20)); // log 1 = 0 -> 4
        assertEquals(5, RelativePositionBias.bucket(-7, false, 8, 20)); // log 1.75/log 5 * 4 = 1.39 -> 5
        assertEquals(7, RelativePositionBias.bucket(-19, false, 8, 20)); // log 4.75/log 5 * 4 = 3.87 -> 7
    }
}
