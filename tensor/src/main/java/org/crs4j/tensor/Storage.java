package org.crs4j.tensor;

/**
 * A flat buffer of elements of one dtype on one device. Tensors are views (shape, strides, offset) over a storage;
 * several tensors may share one. Each backend has its own storage class and casts to it.
 */
public abstract class Storage {
    private final DType dtype;
    private final long length;

    protected Storage(DType dtype, long length) {
        if (length < 0) throw new IllegalArgumentException("negative storage length " + length);
        this.dtype = dtype;
        this.length = length;
    }

    public final DType dtype() {
        return dtype;
    }

    /** Number of elements. */
    public final long length() {
        return length;
    }

    public abstract Device device();
}
