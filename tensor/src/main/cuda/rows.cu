// Per-row kernels over contiguous [rows, n] inputs (the host moves the dim last and copies when needed): softmax and
// log-softmax, layer norm and RMS norm, their backward passes, and rotary position embedding. One block per row; the
// row's sums are trees over the block's threads (fixed order). F32 rows compute in F32 (as the CPU's F32 path),
// F64 rows in F64. Norm weights and biases may be stored as BF16/F16 (model weights) and are read converted.
#include "crs4j.cuh"

// ---------------------------------------------------------------------------------------------- softmax

template <typename T>
__device__ __forceinline__ T exp_(T x);
template <> __device__ __forceinline__ float exp_<float>(float x) { return expf(x); }
template <> __device__ __forceinline__ double exp_<double>(double x) { return exp(x); }
template <typename T>
__device__ __forceinline__ T log_(T x);
template <> __device__ __forceinline__ float log_<float>(float x) { return logf(x); }
template <> __device__ __forceinline__ double log_<double>(double x) { return log(x); }
__device__ __forceinline__ float maxT(float a, float b) { return jmaxf(a, b); }
__device__ __forceinline__ double maxT(double a, double b) { return jmax(a, b); }

template <typename T>
__device__ void softmax_impl(const void* x, int xType, int n, int isLog, T* y) {
    extern __shared__ unsigned char smem[];
    T* scratch = (T*) smem;
    i64 base = (i64) blockIdx.x * n;
    T m = -INFINITY;
    for (int j = threadIdx.x; j < n; j += blockDim.x) {
        T v = sizeof(T) == 4 ? (T) load_f32(x, xType, base + j) : (T) load_f64(x, xType, base + j);
        m = maxT(m, v);
    }
    m = block_reduce<T>(m, scratch, [](T a, T b) { return maxT(a, b); });
    T s = 0;
    for (int j = threadIdx.x; j < n; j += blockDim.x) {
        T v = sizeof(T) == 4 ? (T) load_f32(x, xType, base + j) : (T) load_f64(x, xType, base + j);
        T e = exp_<T>(v - m);
        s += e;
        if (!isLog) y[base + j] = e;
    }
    s = block_reduce<T>(s, scratch, SumOp());
    if (isLog) {
        T ls = log_<T>(s);
        for (int j = threadIdx.x; j < n; j += blockDim.x) {
            T v = sizeof(T) == 4 ? (T) load_f32(x, xType, base + j) : (T) load_f64(x, xType, base + j);
            y[base + j] = (v - m) - ls; // (x - max) first, as RowKernels: huge inputs keep their small differences
        }
    } else {
        T inv = (T) 1 / s;
        for (int j = threadIdx.x; j < n; j += blockDim.x) y[base + j] *= inv;
    }
}

extern "C" __global__ void softmax_f32(const void* x, int xType, int n, int isLog, float* y) { softmax_impl<float>(x, xType, n, isLog, y); }
extern "C" __global__ void softmax_f64(const void* x, int xType, int n, int isLog, double* y) { softmax_impl<double>(x, xType, n, isLog, y); }

// dx = y (g - sum(g y)), or for log-softmax g - exp(y) sum(g).
template <typename T>
__device__ void softmax_backward_impl(const T* g, const T* y, int n, int isLog, T* dx) {
    extern __shared__ unsigned char smem[];
    T* scratch = (T*) smem;
    i64 base = (i64) blockIdx.x * n;
    T dot = 0;
    for (int j = threadIdx.x; j < n; j += blockDim.x) dot += isLog ? g[base + j] : g[base + j] * y[base + j];
    dot = block_reduce<T>(dot, scratch, SumOp());
    for (int j = threadIdx.x; j < n; j += blockDim.x) {
        T gv = g[base + j], yv = y[base + j];
        dx[base + j] = isLog ? gv - exp_<T>(yv) * dot : yv * (gv - dot);
    }
}

extern "C" __global__ void softmax_backward_f32(const float* g, const float* y, int n, int isLog, float* dx) { softmax_backward_impl<float>(g, y, n, isLog, dx); }
extern "C" __global__ void softmax_backward_f64(const double* g, const double* y, int n, int isLog, double* dx) { softmax_backward_impl<double>(g, y, n, isLog, dx); }

// ---------------------------------------------------------------------------------------------- layer norm, RMS norm

template <typename T>
__device__ __forceinline__ T loadT(const void* p, int dt, i64 i) {
    return sizeof(T) == 4 ? (T) load_f32(p, dt, i) : (T) load_f64(p, dt, i);
}

// Row statistics: mean (0 for RMS) and r = 1/sqrt(mean((x - mean)^2) + eps), two passes over the row as RowKernels.
template <typename T>
__device__ void row_stats(const T* x, int n, T eps, int rms, T* scratch, T& mean, T& r) {
    T s = 0;
    if (!rms) {
        for (int j = threadIdx.x; j < n; j += blockDim.x) s += x[j];
        s = block_reduce<T>(s, scratch, SumOp());
    }
    mean = rms ? (T) 0 : s / n;
    T ss = 0;
    for (int j = threadIdx.x; j < n; j += blockDim.x) {
        T d = x[j] - mean;
        ss += d * d;
    }
    ss = block_reduce<T>(ss, scratch, SumOp());
    r = (T) (1.0 / sqrt((double) (ss / n) + (double) eps));
}

// y = (x - mean) r * weight + bias (weight, bias optional: null pointers); x contiguous in the compute dtype.
template <typename T>
__device__ void norm_impl(const T* x, int n, const void* w, int wType, const void* b, int bType, T eps, int rms, T* y) {
    extern __shared__ unsigned char smem[];
    T* scratch = (T*) smem;
    i64 base = (i64) blockIdx.x * n;
    T mean, r;
    row_stats<T>(x + base, n, eps, rms, scratch, mean, r);
    for (int j = threadIdx.x; j < n; j += blockDim.x) {
        T v = (x[base + j] - mean) * r;
        if (w) v *= loadT<T>(w, wType, j);
        if (b) v += loadT<T>(b, bType, j);
        y[base + j] = v;
    }
}

extern "C" __global__ void norm_f32(const float* x, int n, const void* w, int wType, const void* b, int bType, float eps,
                                    int rms, float* y) {
    norm_impl<float>(x, n, w, wType, b, bType, eps, rms, y);
}
extern "C" __global__ void norm_f64(const double* x, int n, const void* w, int wType, const void* b, int bType, double eps,
                                    int rms, double* y) {
    norm_impl<double>(x, n, w, wType, b, bType, eps, rms, y);
}

// dx = r (g' - mean(g') - x̂ mean(g' x̂)) with g' = g w (RMS: no mean(g') term); also writes each row's mean and r
// for norm_param_grads.
template <typename T>
__device__ void norm_backward_impl(const T* g, const T* x, int n, const void* w, int wType, T eps, int rms, T* dx,
                                   T* means, T* rs) {
    extern __shared__ unsigned char smem[];
    T* scratch = (T*) smem;
    i64 base = (i64) blockIdx.x * n;
    T mean, r;
    row_stats<T>(x + base, n, eps, rms, scratch, mean, r);
    T sg = 0, sgx = 0;
    for (int j = threadIdx.x; j < n; j += blockDim.x) {
        T gv = g[base + j];
        if (w) gv *= loadT<T>(w, wType, j);
        T xh = (x[base + j] - mean) * r;
        sg += gv;
        sgx += gv * xh;
    }
    sg = block_reduce<T>(sg, scratch, SumOp());
    sgx = block_reduce<T>(sgx, scratch, SumOp());
    T mg = rms ? (T) 0 : sg / n, mgx = sgx / n;
    for (int j = threadIdx.x; j < n; j += blockDim.x) {
        T gv = g[base + j];
        if (w) gv *= loadT<T>(w, wType, j);
        T xh = (x[base + j] - mean) * r;
        dx[base + j] = (gv - mg - xh * mgx) * r;
    }
    if (threadIdx.x == 0) {
        means[blockIdx.x] = mean;
        rs[blockIdx.x] = r;
    }
}

extern "C" __global__ void norm_backward_f32(const float* g, const float* x, int n, const void* w, int wType, float eps,
                                             int rms, float* dx, float* means, float* rs) {
    norm_backward_impl<float>(g, x, n, w, wType, eps, rms, dx, means, rs);
}
extern "C" __global__ void norm_backward_f64(const double* g, const double* x, int n, const void* w, int wType, double eps,
                                             int rms, double* dx, double* means, double* rs) {
    norm_backward_impl<double>(g, x, n, w, wType, eps, rms, dx, means, rs);
}

// Partial weight and bias gradients over chunks of rows: partial[c, 0, j] = sum over the chunk's rows of g x̂ (when
// wantW), partial[c, wantW, j] = sum of g (when wantB). One thread per (chunk, column), rows in order; the chunks'
// partials are then summed by reduce_cols. Deterministic.
template <typename T>
__device__ void norm_param_grads_impl(const T* g, const T* x, const T* means, const T* rs, int rows, int n, int rowsPerChunk,
                                      int wantW, int wantB, T* partial) {
    int chunks = (rows + rowsPerChunk - 1) / rowsPerChunk, sums = wantW + wantB;
    FOR_EACH(t, (i64) chunks * n) {
        int j = (int) (t % n), c = (int) (t / n);
        T sw = 0, sb = 0;
        for (int r = c * rowsPerChunk, end = min(rows, r + rowsPerChunk); r < end; r++) {
            T gv = g[(i64) r * n + j];
            if (wantW) sw += gv * ((x[(i64) r * n + j] - means[r]) * rs[r]);
            if (wantB) sb += gv;
        }
        if (wantW) partial[((i64) c * sums) * n + j] = sw;
        if (wantB) partial[((i64) c * sums + wantW) * n + j] = sb;
    }
}

extern "C" __global__ void norm_param_grads_f32(const float* g, const float* x, const float* means, const float* rs, int rows,
                                                int n, int rowsPerChunk, int wantW, int wantB, float* partial) {
    norm_param_grads_impl<float>(g, x, means, rs, rows, n, rowsPerChunk, wantW, wantB, partial);
}
extern "C" __global__ void norm_param_grads_f64(const double* g, const double* x, const double* means, const double* rs,
                                                int rows, int n, int rowsPerChunk, int wantW, int wantB, double* partial) {
    norm_param_grads_impl<double>(g, x, means, rs, rows, n, rowsPerChunk, wantW, wantB, partial);
}

// ---------------------------------------------------------------------------------------------- rotary embedding

// x contiguous [rows, d], d = 2 half; cos and sin read through the Layout over [lead..., half] (0: cos, 1: sin), whose
// row-major position is row * half + j. Pairs (j, j + half), or (2j, 2j + 1) when interleaved.
template <typename T>
__device__ void rope_impl(const T* x, Layout L, const void* c, int cType, const void* s, int sType, int rows, int half,
                          int interleaved, T* y) {
    FOR_EACH(p, (i64) rows * half) {
        i64 off[2];
        layout_offsets<2>(L, p, off);
        i64 row = p / half;
        int j = (int) (p % half);
        i64 ia = row * 2 * half + (interleaved ? 2 * j : j), ib = row * 2 * half + (interleaved ? 2 * j + 1 : j + half);
        T cj = loadT<T>(c, cType, off[0]), sj = loadT<T>(s, sType, off[1]);
        T a = x[ia], b = x[ib];
        y[ia] = a * cj - b * sj;
        y[ib] = b * cj + a * sj;
    }
}

extern "C" __global__ void rope_f32(const float* x, Layout L, const void* c, int cType, const void* s, int sType, int rows,
                                    int half, int interleaved, float* y) {
    rope_impl<float>(x, L, c, cType, s, sType, rows, half, interleaved, y);
}
extern "C" __global__ void rope_f64(const double* x, Layout L, const void* c, int cType, const void* s, int sType, int rows,
                                    int half, int interleaved, double* y) {
    rope_impl<double>(x, L, c, cType, s, sType, rows, half, interleaved, y);
}

// ---------------------------------------------------------------------------------------------- Adam

// The fused Adam/AdamW step of Backend.adamUpdate, in place on contiguous param, expAvg, expAvgSq; grad contiguous.
// c1 = 1 - beta1 and c2 = 1 - beta2 come rounded from double, as in the CPU kernel.
extern "C" __global__ void adam_f32(i64 n, float* p, const float* g, float* m, float* v, float l2, float decay, float b1,
                                    float b2, float c1, float c2, float eps, float step, float bc2) {
    FOR_EACH(i, n) {
        float pi = p[i], gi = g[i];
        if (l2 != 0.0f) gi = fmaf(pi, l2, gi);
        if (decay != 1.0f) pi = pi * decay;
        float mi = m[i] * b1 + gi * c1;
        float vi = v[i] * b2 + gi * c2 * gi;
        float denom = sqrtf(vi) / bc2 + eps;
        m[i] = mi;
        v[i] = vi;
        p[i] = pi - mi / denom * step;
    }
}

extern "C" __global__ void adam_f64(i64 n, double* p, const double* g, double* m, double* v, double l2, double decay,
                                    double b1, double b2, double eps, double step, double bc2) {
    FOR_EACH(i, n) {
        double pi = p[i], gi = g[i] + l2 * pi;
        pi *= decay;
        double mi = b1 * m[i] + (1 - b1) * gi;
        double vi = b2 * v[i] + (1 - b2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] = pi - step * mi / (sqrt(vi) / bc2 + eps);
    }
}
