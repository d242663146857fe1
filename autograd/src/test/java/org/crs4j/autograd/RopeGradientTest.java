package org.crs4j.autograd;

import org.crs4j.tensor.DType;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.testing.RandomTensors;
import org.junit.jupiter.api.Test;

/** The rotary embedding's backward (rotation by the opposite angle) against finite differences. */
class RopeGradientTest {
    private final RandomTensors random = new RandomTensors(99);

    @Test
    void ropeGradientBothPairingsWithBroadcastAngles() {
        for (boolean interleaved : new boolean[] {false, true}) {
            Tensor x = random.uniform(new int[] {2, 3, 4, 6}, DType.F64, -2, 2);
            Tensor theta = random.uniform(new int[] {2, 1, 4, 3}, DType.F64, -4, 4);
            Tensor cos = theta.cos(), sin = theta.sin();
            GradCheck.check("rope interleaved=" + interleaved, v -> v.get(0).rope(cos, sin, interleaved), x);
            // and composed after other ops (a non-contiguous input)
            GradCheck.check("rope of transpose", v -> v.get(0).transpose(1, 2).rope(cos, sin, interleaved).square(),
                    random.uniform(new int[] {2, 4, 3, 6}, DType.F64, -2, 2));
        }
    }
}
