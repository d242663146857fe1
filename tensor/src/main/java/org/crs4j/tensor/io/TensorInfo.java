package org.crs4j.tensor.io;

import java.util.Arrays;
import org.crs4j.tensor.DType;

/**
 * One entry of a safetensors header: a tensor's name, dtype, shape and byte range.
 *
 * @param name  the tensor's name
 * @param dtype its element type
 * @param shape its dims, row-major (long: the format allows dims past 2^31 even though crs4j tensors do not)
 * @param begin first byte, relative to the start of the data section (the header's {@code data_offsets[0]})
 * @param end   one past the last byte, relative to the data section ({@code data_offsets[1]})
 */
public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {

    public TensorInfo {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements (the product of the dims; 1 for a scalar). */
    public long numel() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    public long byteSize() {
        return end - begin;
    }

    /** The shape as an int[] for {@link org.crs4j.tensor.Tensor}, or null when a dim or the count exceeds int. */
    int[] intShape() {
        int[] out = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] > Integer.MAX_VALUE) return null;
            out[i] = (int) shape[i];
        }
        return numel() > Integer.MAX_VALUE ? null : out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape)
                && begin == t.begin && end == t.end;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + dtype + " " + Arrays.toString(shape) + " [" + begin + ", " + end + ")";
    }
}
