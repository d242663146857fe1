package org.crs4j.tensor.cuda;

/** CUDA was asked for where it cannot run; the message says why in one line (no driver, no device, no cuBLAS, ...). */
public final class CudaUnavailableException extends UnsupportedOperationException {
    public CudaUnavailableException(String message) {
        super(message);
    }
}
