package org.crs4j.nn.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class RelativePositionBiasTest {

    @Test
    void bucketsEqualPyTorchsForEveryDistanceAndSetting() {
        JsonNode fx = Fixtures.json("t5_relative_buckets.json");
        JsonNode rel = fx.get("relative_positions");
        int cases = 0;
        for (JsonNode c : fx.get("cases")) {
            boolean bidi = c.get("bidirectional").asBoolean();
            int nb = c.get("num_buckets").asInt(), md = c.get("max_distance").asInt();
            JsonNode want = c.get("buckets");
            for (int i = 0; i < rel.size(); i++) {
                int r = rel.get(i).asInt();
                assertEquals(want.get(i).asInt(), RelativePositionBias.bucket(r, bidi, nb, md),
                        "relative position " + r + ", bidirectional " + bidi + ", buckets " + nb + ", max distance " + md);
            }
            cases++;
        }
        assertEquals(10, cases);
    }

    @Test
    void biasIsTheTableEntryOfEachBucketWithQueryOffsets() {
        RelativePositionBias rpb = new RelativePositionBias(32, 128, 3, false, new Generator(2));
        double[][] table = Naive.matrix(rpb.weight().data());
        Tensor bias = rpb.forward(2, 9, 7).data();
        assertArrayEquals(new int[] {1, 3, 2, 9}, bias.shape());
        for (int h = 0; h < 3; h++) for (int i = 0; i < 2; i++) for (int j = 0; j < 9; j++) {
            assertEquals(table[Naive.bucket(j - (7 + i), false, 32, 128)][h], bias.get(0, h, i, j), 0, "h" + h + " i" + i + " j" + j);
        }
        // the last query row at offset 7 equals row 7 of the full square bias: what a cached decoder step needs
        Tensor full = rpb.forward(9, 9, 0).data();
        assertEquals(0, full.narrow(2, 7, 2).sub(bias).abs().max().item());
    }

    @Test
    void gradientsFlowIntoTheTable() {
        RelativePositionBias rpb = new RelativePositionBias(8, 16, 2, true, new Generator(3));
        ModuleGradients.toF64(rpb);
        ModuleGradients.check("relative bias", rpb, () -> rpb.forward(5, 6, 0).square(), 16);
    }

    @Test
    void refusesDegenerateSettings() {
        assertThrows(IllegalArgumentException.class, () -> new RelativePositionBias(1, 128, 2, true, null));
        assertThrows(IllegalArgumentException.class, () -> new RelativePositionBias(32, 0, 2, true, null));
    }
}
