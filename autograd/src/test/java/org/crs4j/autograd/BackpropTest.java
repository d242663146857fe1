package org.crs4j.autograd;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.ref.WeakReference;
import org.crs4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The engine itself: accumulation, no-grad scopes, detach, released graphs, deep graphs. */
class BackpropTest {

    @Test
    void gradientsAccumulateAcrossBackwardCallsUntilZeroed() {
        Variable w = Variable.parameter(Tensor.vector(1, 2, 3));
        w.mul(w).sum().backward();
        assertArrayEquals(new float[] {2, 4, 6}, w.grad().toFloatArray());
        w.sum().backward();
        assertArrayEquals(new float[] {3, 5, 7}, w.grad().toFloatArray());
        w.zeroGrad();
        assertNull(w.grad());
    }

    @Test
    void noGradScopeRecordsNothingAndNests() {
        Variable w = Variable.parameter(Tensor.vector(1, 2));
        try (var off = GradMode.off()) {
            try (var again = GradMode.off()) {
                assertFalse(GradMode.enabled());
            }
            assertFalse(GradMode.enabled());
            Variable y = w.mul(w);
            assertFalse(y.requiresGrad());
            assertTrue(y.isLeaf());
        }
        assertTrue(GradMode.enabled());
        assertTrue(w.mul(w).requiresGrad());
    }

    @Test
    void detachCutsTheGraph() {
        Variable w = Variable.parameter(Tensor.vector(3));
        Variable y = w.mul(w.detach()); // d/dw = w (only the first factor)
        y.sum().backward();
        assertArrayEquals(new float[] {3}, w.grad().toFloatArray());
        assertFalse(w.detach().requiresGrad());
    }

    @Test
    void secondBackwardThroughAFreedGraphFailsClearly() {
        Variable w = Variable.parameter(Tensor.vector(1, 2));
        Variable loss = w.exp().sum();
        loss.backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("already"), e.getMessage());
    }

    @Test
    void savedBuffersAreReleasedAfterBackward() {
        Variable w = Variable.parameter(Tensor.vector(1, 2, 3));
        Variable hidden = w.exp();
        WeakReference<Tensor> saved = new WeakReference<>(hidden.data());
        Variable loss = hidden.mul(hidden).sum();
        hidden = null;
        loss.backward();
        loss = null;
        for (int i = 0; i < 20 && saved.get() != null; i++) {
            System.gc();
            Thread.onSpinWait();
        }
        assertNull(saved.get(), "the graph's saved tensors must be collectable after backward");
    }

    @Test
    void aDroppedGraphIsCollectableWithoutBackward() {
        Variable w = Variable.parameter(Tensor.vector(1, 2, 3));
        Variable hidden = w.exp().mul(2);
        WeakReference<Variable> ref = new WeakReference<>(hidden);
        hidden = null;
        for (int i = 0; i < 20 && ref.get() != null; i++) System.gc();
        assertNull(ref.get());
    }

    @Test
    void deepGraphsDoNotOverflowTheStack() {
        Variable w = Variable.parameter(Tensor.vector(1));
        Variable y = w;
        for (int i = 0; i < 50_000; i++) y = y.add(1e-6).mul(1.0);
        y.sum().backward();
        assertEquals(1.0, w.grad().item(), 1e-9);
    }

    @Test
    void retainGradKeepsNonLeafGradients() {
        Variable w = Variable.parameter(Tensor.vector(2));
        Variable h = w.mul(3).retainGrad();
        h.square().sum().backward();
        assertEquals(12.0, h.grad().item(), 1e-6);
        assertEquals(36.0, w.grad().item(), 1e-6);
    }

    @Test
    void backwardNeedsAScalarOrAnExplicitGradient() {
        Variable w = Variable.parameter(Tensor.vector(1, 2));
        assertThrows(IllegalStateException.class, () -> w.mul(2).backward());
        Variable y = w.mul(2);
        y.backward(Tensor.vector(1, 10));
        assertArrayEquals(new float[] {2, 20}, w.grad().toFloatArray());
        assertThrows(IllegalStateException.class, () -> Variable.constant(Tensor.vector(1)).sum().backward());
        assertThrows(IllegalArgumentException.class, () -> Variable.parameter(Tensor.of(new long[] {1}, 1)));
    }

    @Test
    void gradCheckCatchesAWrongGradient() {
        // exp's real derivative is exp(x); a deliberately wrong one must be reported
        GradCheck.Mismatch m = assertThrows(GradCheck.Mismatch.class, () ->
                GradCheck.check("wrong", v -> v.get(0).exp().add(v.get(0).detach().mul(3)).sub(v.get(0).mul(0)).mul(1)
                        .add(v.get(0).mul(0).add(Variable.constant(0)))
                        .add(fakeSquare(v.get(0))), Tensor.of(new double[] {0.5, 1.5}, 2)));
        assertTrue(m.getMessage().contains("finite difference"), m.getMessage());
    }

    /** x^2 computed with the gradient cut: backprop says 0, finite differences say 2x. */
    private static Variable fakeSquare(Variable x) {
        return x.detach().square().add(x.mul(0));
    }
}
