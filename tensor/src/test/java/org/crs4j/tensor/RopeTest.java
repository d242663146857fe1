package org.crs4j.tensor;

import static org.crs4j.tensor.testing.TensorAssertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.crs4j.tensor.testing.Devices;
import org.crs4j.tensor.testing.RandomTensors;
import org.crs4j.tensor.testing.Ref;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/** The fused rotary-embedding kernel against a naive double rotation, on random shapes, layouts and broadcasts. */
@ParameterizedClass
@MethodSource("org.crs4j.tensor.testing.Devices#all")
class RopeTest {
    private final Device device;
    private final RandomTensors random;

    RopeTest(Device device) {
        this.device = device;
        this.random = new RandomTensors(77, device);
    }

    @BeforeEach
    void deviceIsUsable() {
        Devices.assumeUsable(device, "RopeTest");
    }

    /** Rotates pair j of every row of x by the angle whose cos/sin are at the broadcast index. */
    static Ref ropeRef(Ref x, Ref cos, Ref sin, boolean interleaved) {
        int rank = x.shape.length, d = x.shape[rank - 1], half = d / 2;
        Ref out = Ref.zeros(x.shape);
        int[] idx = new int[rank];
        for (int i = 0; i < x.data.length; i++) {
            Ref.unravel(i, x.shape, idx);
            int last = idx[rank - 1];
            int j = interleaved ? last / 2 : last % half;
            boolean first = interleaved ? last % 2 == 0 : last < half;
            int partner = interleaved ? (first ? last + 1 : last - 1) : (first ? last + half : last - half);
            int[] pi = idx.clone();
            pi[rank - 1] = partner;
            double a = first ? x.at(idx) : x.at(pi), b = first ? x.at(pi) : x.at(idx);
            double c = broadcastAt(cos, idx, j), s = broadcastAt(sin, idx, j);
            out.data[i] = first ? a * c - b * s : b * c + a * s;
        }
        return out;
    }

    private static double broadcastAt(Ref t, int[] xIdx, int j) {
        int r = t.shape.length, lead = xIdx.length - r;
        int[] ti = new int[r];
        for (int k = 0; k < r - 1; k++) ti[k] = t.shape[k] == 1 ? 0 : xIdx[lead + k];
        ti[r - 1] = j;
        return t.at(ti);
    }

    @Test
    void matchesNaiveRotationOnRandomShapesLayoutsAndBroadcasts() {
        for (int trial = 0; trial < 60; trial++) {
            boolean interleaved = trial % 2 == 1;
            DType dtype = trial % 7 == 0 ? DType.F64 : trial % 11 == 0 ? DType.BF16 : DType.F32;
            int rank = random.nextInt(1, 4);
            int[] shape = random.shape(rank, 1, 5);
            int half = random.nextInt(0, trial % 3 == 0 ? 21 : 6);
            shape[rank - 1] = 2 * half;
            Tensor x = random.uniform(shape, dtype, -3, 3);
            // angles: a random suffix of the leading dims, each kept or broadcast (size 1)
            int angleRank = random.nextInt(1, rank);
            int[] as = new int[angleRank];
            for (int k = 0; k < angleRank - 1; k++) as[k] = random.nextInt(0, 1) == 0 ? 1 : shape[rank - angleRank + k];
            as[angleRank - 1] = half;
            Tensor theta = random.uniform(as, DType.F64, -10, 10);
            Tensor cos = random.withRandomLayout(theta.cos().to(dtype == DType.F64 ? DType.F64 : DType.F32));
            Tensor sin = random.withRandomLayout(theta.sin().to(dtype == DType.F64 ? DType.F64 : DType.F32));
            Tensor y = x.rope(cos, sin, interleaved);
            assertEquals(dtype == DType.F64 ? DType.F64 : DType.F32, y.dtype());
            double tol = dtype == DType.F64 ? 1e-12 : 2e-6;
            assertClose(ropeRef(Ref.of(x), Ref.of(cos), Ref.of(sin), interleaved), y, tol, tol,
                    "trial " + trial + " x " + Arrays.toString(shape) + " angles " + Arrays.toString(as) + " interleaved " + interleaved);
        }
    }

    @Test
    void oppositeAngleUndoesTheRotationAndPreservesNorms() {
        Tensor x = random.uniform(new int[] {2, 3, 16}, -1, 1);
        Tensor theta = random.uniform(new int[] {3, 8}, DType.F64, -5, 5);
        for (boolean interleaved : new boolean[] {false, true}) {
            Tensor y = x.rope(theta.cos().to(DType.F32), theta.sin().to(DType.F32), interleaved);
            Tensor back = y.rope(theta.cos().to(DType.F32), theta.sin().neg().to(DType.F32), interleaved);
            assertClose(x, back, 1e-5, 1e-6, "inverse rotation");
            assertClose(x.square().sum(-1, false), y.square().sum(-1, false), 1e-5, 1e-6, "norm preserved");
        }
    }

    @Test
    void pairingsDifferOnlyByAPermutationOfTheLastDim() {
        // interleaved(x) == P^-1 half(P x) where P moves (2i, 2i+1) to (i, i + d/2)
        Tensor x = random.uniform(new int[] {4, 12}, -1, 1);
        Tensor theta = random.uniform(new int[] {4, 6}, DType.F64, -5, 5);
        Tensor cos = theta.cos().to(DType.F32), sin = theta.sin().to(DType.F32);
        Tensor toHalf = x.view(4, 6, 2).transpose(1, 2).reshape(4, 12);
        Tensor viaHalf = toHalf.rope(cos, sin, false).view(4, 2, 6).transpose(1, 2).reshape(4, 12);
        assertClose(x.rope(cos, sin, true), viaHalf, 0, 0, "interleaved vs half");
    }

    @Test
    void badShapesAreNamed() {
        Tensor x = Tensor.zeros(2, 5);
        IllegalArgumentException odd = assertThrows(IllegalArgumentException.class,
                () -> x.rope(Tensor.zeros(2, 2), Tensor.zeros(2, 2), false));
        assertTrue(odd.getMessage().contains("even"), odd.getMessage());
        IllegalArgumentException half = assertThrows(IllegalArgumentException.class,
                () -> Tensor.zeros(2, 6).rope(Tensor.zeros(2, 6), Tensor.zeros(2, 3), false));
        assertTrue(half.getMessage().contains("cos"), half.getMessage());
        IllegalArgumentException bc = assertThrows(IllegalArgumentException.class,
                () -> Tensor.zeros(2, 6).rope(Tensor.zeros(3, 3), Tensor.zeros(3, 3), false));
        assertTrue(bc.getMessage().contains("broadcast"), bc.getMessage());
    }
}
