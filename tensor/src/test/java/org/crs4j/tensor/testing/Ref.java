package org.crs4j.tensor.testing;

import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import org.crs4j.tensor.Tensor;

/**
 * The independent reference for kernel tests: a dense row-major double array with naive loops and its own
 * broadcasting and index arithmetic. It reads tensors element by element through {@link Tensor#get}, so it shares
 * no kernel code with the backend it checks.
 */
public final class Ref {
    public final int[] shape;
    public final double[] data;

    public Ref(int[] shape, double[] data) {
        this.shape = shape.clone();
        this.data = data;
        if (numel(shape) != data.length) throw new IllegalArgumentException("shape/data mismatch");
    }

    public static Ref zeros(int... shape) {
        return new Ref(shape, new double[numel(shape)]);
    }

    public static int numel(int[] shape) {
        int n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    /** Reads every element of t (any strides, any dtype) by index. */
    public static Ref of(Tensor t) {
        t = t.toDevice(org.crs4j.tensor.Device.CPU); // one download for a GPU tensor, not one per element
        int[] shape = t.shape();
        Ref r = zeros(shape);
        int[] idx = new int[shape.length];
        for (int i = 0; i < r.data.length; i++) {
            unravel(i, shape, idx);
            r.data[i] = t.get(idx);
        }
        return r;
    }

    public static void unravel(int flat, int[] shape, int[] idx) {
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = shape[d] == 0 ? 0 : flat % shape[d];
            flat = shape[d] == 0 ? 0 : flat / shape[d];
        }
    }

    public static int ravel(int[] idx, int[] shape) {
        int flat = 0;
        for (int d = 0; d < shape.length; d++) flat = flat * shape[d] + idx[d];
        return flat;
    }

    public double at(int... idx) {
        return data[ravel(idx, shape)];
    }

    public void set(double v, int... idx) {
        data[ravel(idx, shape)] = v;
    }

    public Ref map(DoubleUnaryOperator f) {
        double[] out = new double[data.length];
        for (int i = 0; i < out.length; i++) out[i] = f.applyAsDouble(data[i]);
        return new Ref(shape, out);
    }

    /** NumPy broadcasting, written out naively. */
    public static int[] broadcastShape(int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i - (rank - a.length) >= 0 ? a[i - (rank - a.length)] : 1;
            int db = i - (rank - b.length) >= 0 ? b[i - (rank - b.length)] : 1;
            if (da != db && da != 1 && db != 1) throw new IllegalArgumentException("not broadcastable");
            out[i] = da == db ? da : da == 1 ? db : da;
        }
        return out;
    }

    /** The element of this array that position {@code idx} of a broadcast shape reads. */
    public double atBroadcast(int[] idx) {
        int lead = idx.length - shape.length;
        int flat = 0;
        for (int d = 0; d < shape.length; d++) flat = flat * shape[d] + (shape[d] == 1 ? 0 : idx[d + lead]);
        return data[flat];
    }

    public static Ref zip(Ref a, Ref b, DoubleBinaryOperator f) {
        int[] shape = broadcastShape(a.shape, b.shape);
        Ref out = zeros(shape);
        int[] idx = new int[shape.length];
        for (int i = 0; i < out.data.length; i++) {
            unravel(i, shape, idx);
            out.data[i] = f.applyAsDouble(a.atBroadcast(idx), b.atBroadcast(idx));
        }
        return out;
    }

    public interface Reducer {
        double reduce(double[] values, int n);
    }

    /** Reduces over {@code dims} with a function of the gathered values (in index order). */
    public Ref reduce(int[] dims, boolean keepdim, Reducer f) {
        boolean[] red = new boolean[shape.length];
        for (int d : dims) red[d < 0 ? d + shape.length : d] = true;
        int[] kept = new int[shape.length];
        for (int d = 0; d < shape.length; d++) kept[d] = red[d] ? 1 : shape[d];
        Ref acc = zeros(kept);
        int groupSize = 1;
        for (int d = 0; d < shape.length; d++) if (red[d]) groupSize *= shape[d];
        double[][] groups = new double[acc.data.length][groupSize];
        int[] counts = new int[acc.data.length];
        int[] idx = new int[shape.length], k = new int[shape.length];
        for (int i = 0; i < data.length; i++) {
            unravel(i, shape, idx);
            for (int d = 0; d < shape.length; d++) k[d] = red[d] ? 0 : idx[d];
            int g = ravel(k, kept);
            groups[g][counts[g]++] = data[i];
        }
        for (int g = 0; g < acc.data.length; g++) acc.data[g] = f.reduce(groups[g], counts[g]);
        if (keepdim) return acc;
        int n = 0;
        for (boolean r : red) if (!r) n++;
        int[] out = new int[n];
        for (int d = 0, j = 0; d < shape.length; d++) if (!red[d]) out[j++] = shape[d];
        return new Ref(out, acc.data);
    }

    /** Matrix product of the last two dims with broadcast batch dims (naive triple loop). */
    public static Ref matmul(Ref a, Ref b) {
        int m = a.shape[a.shape.length - 2], k = a.shape[a.shape.length - 1], n = b.shape[b.shape.length - 1];
        int[] ba = Arrays.copyOf(a.shape, a.shape.length - 2), bb = Arrays.copyOf(b.shape, b.shape.length - 2);
        int[] batch = broadcastShape(ba, bb);
        int[] outShape = Arrays.copyOf(batch, batch.length + 2);
        outShape[batch.length] = m;
        outShape[batch.length + 1] = n;
        Ref out = zeros(outShape);
        int[] idx = new int[outShape.length];
        int[] ia = new int[batch.length + 2], ib = new int[batch.length + 2];
        for (int flat = 0; flat < out.data.length; flat++) {
            unravel(flat, outShape, idx);
            double s = 0;
            for (int p = 0; p < k; p++) {
                System.arraycopy(idx, 0, ia, 0, batch.length);
                ia[batch.length] = idx[batch.length];
                ia[batch.length + 1] = p;
                System.arraycopy(idx, 0, ib, 0, batch.length);
                ib[batch.length] = p;
                ib[batch.length + 1] = idx[batch.length + 1];
                s += a.atBroadcast(ia) * b.atBroadcast(ib);
            }
            out.data[flat] = s;
        }
        return out;
    }

    @Override
    public String toString() {
        return "Ref" + Arrays.toString(shape) + (data.length <= 16 ? Arrays.toString(data) : "");
    }
}
