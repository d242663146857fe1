package org.crs4j.tensor.testing;

import java.util.SplittableRandom;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Device;
import org.crs4j.tensor.Tensor;

/**
 * Random test inputs: random shapes (zero-size and 0-d included) and random layouts — the values end up in
 * transposed, strided or offset views, never only in fresh contiguous buffers.
 */
public final class RandomTensors {
    private final SplittableRandom rng;
    private final Device device;

    public RandomTensors(long seed) {
        this(seed, Device.CPU);
    }

    /** Inputs made on {@code device} (in random layouts there): the op tests run on each backend this way. */
    public RandomTensors(long seed, Device device) {
        this.rng = new SplittableRandom(seed);
        this.device = device;
    }

    public Device device() {
        return device;
    }

    public SplittableRandom rng() {
        return rng;
    }

    public int nextInt(int lo, int hiInclusive) {
        return rng.nextInt(lo, hiInclusive + 1);
    }

    /** A random shape of the given rank with dims in [lo, hi]. */
    public int[] shape(int rank, int lo, int hi) {
        int[] s = new int[rank];
        for (int i = 0; i < rank; i++) s[i] = nextInt(lo, hi);
        return s;
    }

    /** Uniform values in [lo, hi) in the given shape, dtype and a random layout. */
    public Tensor uniform(int[] shape, DType dtype, double lo, double hi) {
        int n = Ref.numel(shape);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * rng.nextDouble();
        return withRandomLayout(Tensor.of(v, shape).to(dtype).toDevice(device));
    }

    public Tensor uniform(int[] shape, double lo, double hi) {
        return uniform(shape, DType.F32, lo, hi);
    }

    /** Random integers in [lo, hi) as I64 (or I32). */
    public Tensor integers(int[] shape, DType dtype, long lo, long hi) {
        int n = Ref.numel(shape);
        long[] v = new long[n];
        for (int i = 0; i < n; i++) v[i] = lo + (long) (rng.nextDouble() * (hi - lo));
        return withRandomLayout(Tensor.of(v, shape).to(dtype).toDevice(device));
    }

    public Tensor mask(int[] shape, double pTrue) {
        int n = Ref.numel(shape);
        boolean[] v = new boolean[n];
        for (int i = 0; i < n; i++) v[i] = rng.nextDouble() < pTrue;
        return withRandomLayout(Tensor.ofBool(v, shape).toDevice(device));
    }

    /**
     * The same values in one of several layouts: contiguous; stored transposed (a permuted copy viewed back);
     * a strided slice of a larger buffer with an offset.
     */
    public Tensor withRandomLayout(Tensor t) {
        int choice = rng.nextInt(3);
        if (choice == 0 || t.dim() == 0) return t;
        if (choice == 1 && t.dim() >= 2) {
            int[] perm = new int[t.dim()];
            for (int i = 0; i < perm.length; i++) perm[i] = perm.length - 1 - i;
            // store reversed-dim order contiguously, then view it back: strides become "column-major"
            return t.permute(perm).contiguous().permute(perm);
        }
        int[] big = t.shape();
        int d = rng.nextInt(t.dim());
        big[d] = big[d] * 2 + 1;
        Tensor buffer = t.backend().zeros(t.dtype(), big); // on t's device
        Tensor view = buffer.slice(d, 1, big[d], 2);
        if (view.size(d) != t.size(d)) view = view.narrow(d, 0, t.size(d));
        view.copyFrom(t);
        return view;
    }
}
