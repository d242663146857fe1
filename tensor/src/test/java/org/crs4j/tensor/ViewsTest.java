package org.crs4j.tensor;

import static org.crs4j.tensor.testing.TensorAssertions.assertExact;
import static org.junit.jupiter.api.Assertions.*;

import org.crs4j.tensor.testing.RandomTensors;
import org.crs4j.tensor.testing.Ref;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class ViewsTest {
    private final RandomTensors random = new RandomTensors(11);

    private static Tensor iota(int... shape) {
        return Tensor.arange(0, Ref.numel(shape), 1, DType.F32).view(shape);
    }

    @Test
    void viewAndReshapeKeepRowMajorOrder() {
        Tensor t = iota(2, 3, 4);
        assertEquals(7.0, t.get(0, 1, 3));
        assertEquals(7.0, t.view(6, 4).get(1, 3));
        assertEquals(7.0, t.view(-1).get(7));
        assertArrayEquals(new int[] {4, 6}, t.view(4, -1).shape());
        assertSame(t.storage(), t.view(24).storage(), "view must not copy");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.view(5, -1));
        assertTrue(e.getMessage().contains("invalid for 24 elements"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> t.view(-1, -1, 4));
    }

    @Test
    void viewOfTransposedFailsButReshapeCopies() {
        Tensor t = iota(3, 4).mT();
        assertFalse(t.isContiguous());
        assertThrows(IllegalArgumentException.class, () -> t.view(12));
        Tensor r = t.reshape(12);
        assertTrue(r.isContiguous());
        assertEquals(4.0, r.get(1)); // t[0][1] = original[1][0] = 4
        // splitting a dim of a transposed tensor is still a view
        Tensor u = iota(6, 4).mT().view(2, 2, 6);
        assertSame(u.storage().length(), 24L);
        assertEquals(iota(6, 4).get(3, 1), u.get(0, 1, 3));
    }

    @Test
    void permuteNarrowSliceSelectExpand() {
        Tensor t = iota(2, 3, 4);
        Tensor p = t.permute(2, 0, 1);
        assertArrayEquals(new int[] {4, 2, 3}, p.shape());
        assertEquals(t.get(1, 2, 3), p.get(3, 1, 2));
        Tensor n = t.narrow(2, 1, 2);
        assertEquals(t.get(1, 2, 2), n.get(1, 2, 1));
        Tensor s = t.slice(2, 0, 4, 3); // elements 0 and 3
        assertArrayEquals(new int[] {2, 3, 2}, s.shape());
        assertEquals(t.get(0, 1, 3), s.get(0, 1, 1));
        assertEquals(t.get(1, 0, 2), t.select(0, 1).get(0, 2));
        assertEquals(t.get(1, 0, 2), t.select(0, -1).get(0, 2));
        Tensor e = Tensor.vector(5, 6, 7).view(3, 1).expand(3, 4);
        assertEquals(0, e.stride(1));
        assertEquals(6.0, e.get(1, 3));
        assertEquals(6.0, Tensor.vector(5, 6, 7).expand(2, 3).get(1, 1));
        assertThrows(IllegalArgumentException.class, () -> Tensor.vector(1, 2).expand(3));
        assertThrows(IndexOutOfBoundsException.class, () -> t.select(1, 3));
        assertThrows(IllegalArgumentException.class, () -> t.narrow(2, 3, 2));
    }

    @Test
    void squeezeUnsqueezeFlatten() {
        Tensor t = iota(2, 1, 3, 1);
        assertArrayEquals(new int[] {2, 3}, t.squeeze().shape());
        assertArrayEquals(new int[] {2, 3, 1}, t.squeeze(1).shape());
        assertArrayEquals(new int[] {2, 1, 3, 1}, t.squeeze(0).shape(), "non-1 dim is kept");
        assertArrayEquals(new int[] {1, 2, 1, 3, 1}, t.unsqueeze(0).shape());
        assertArrayEquals(new int[] {2, 1, 3, 1, 1}, t.unsqueeze(-1).shape());
        assertArrayEquals(new int[] {2, 3, 1}, t.flatten(1, 2).shape());
        assertEquals(t.get(1, 0, 2, 0), t.unsqueeze(2).get(1, 0, 0, 2, 0));
    }

    @RepeatedTest(20)
    void contiguousOfRandomViewsMatchesIndexing() {
        int rank = random.nextInt(1, 4);
        Tensor t = random.uniform(random.shape(rank, 0, 5), -1, 1);
        Tensor c = t.contiguous();
        assertTrue(c.isContiguous());
        assertExact(Ref.of(t), c, "contiguous");
        if (rank >= 2) {
            Tensor tt = t.transpose(0, rank - 1);
            assertExact(Ref.of(tt), tt.contiguous(), "transposed contiguous");
        }
    }

    @Test
    void splitConcatStack() {
        Tensor t = iota(5, 2);
        var parts = t.split(2, 0);
        assertEquals(3, parts.size());
        assertArrayEquals(new int[] {1, 2}, parts.get(2).shape());
        assertExact(Ref.of(t), Tensor.concat(parts, 0), "concat(split)");
        var sized = t.split(new int[] {1, 4}, 0);
        assertEquals(t.get(1, 1), sized.get(1).get(0, 1));
        assertThrows(IllegalArgumentException.class, () -> t.split(new int[] {1, 3}, 0));
        Tensor s = Tensor.stack(java.util.List.of(iota(2, 3), iota(2, 3).mul(2)), 1);
        assertArrayEquals(new int[] {2, 2, 3}, s.shape());
        assertEquals(2 * iota(2, 3).get(1, 2), s.get(1, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> Tensor.concat(0, iota(2, 3), iota(2, 4)));
        // mixed dtypes promote
        Tensor m = Tensor.concat(0, Tensor.of(new long[] {1}, 1), Tensor.vector(2.5f));
        assertEquals(DType.F32, m.dtype());
        assertEquals(2.5, m.get(1));
    }

    @Test
    void copyFromBroadcastsAndConverts() {
        Tensor dst = Tensor.zeros(DType.BF16, 2, 3);
        dst.narrow(1, 1, 2).copyFrom(Tensor.vector(1.5f, -2f));
        assertEquals(0.0, dst.get(0, 0));
        assertEquals(1.5, dst.get(1, 1));
        assertEquals(-2.0, dst.get(0, 2));
        Tensor ints = Tensor.zeros(DType.I32, 3);
        ints.copyFrom(Tensor.vector(1.9f, -1.9f, 3f));
        assertArrayEquals(new int[] {1, -1, 3}, ints.toIntArray(), "float to int truncates toward zero");
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).copyFrom(Tensor.zeros(3, 2)));
    }

    @Test
    void invalidViewsAreRejected() {
        Tensor t = Tensor.zeros(4);
        assertThrows(IllegalArgumentException.class, () -> new Tensor(t.storage(), new int[] {5}, new int[] {1}, 0));
        assertThrows(IllegalArgumentException.class, () -> t.permute(0, 0));
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(-1));
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(1 << 16, 1 << 16));
    }
}
