// Reductions (sum, max, min), argmax/argmin and cumulative sums. The host sees the input as [outer, reduced, inner]
// (contiguous; it permutes and copies first when the reduced dims are not adjacent) and launches:
//   reduce_rows  when inner == 1: one block per (row, chunk of the row), a tree over the threads' partials;
//   reduce_cols  when inner > 1: one thread per (outer, inner) column, summing a chunk of the reduced dim in order.
// Long reductions run as two launches (chunks, then the chunks' partials), with chunk sizes fixed by the shape alone,
// so a result never depends on the device or on timing (but the order differs from the CPU's: float sums agree to
// rounding, not bit for bit). The op codes are the ordinals of org.crs4j.tensor.ReduceOp.
#include "crs4j.cuh"

enum ReduceCode { R_SUM, R_MAX, R_MIN };

template <typename T> __device__ __forceinline__ T reduce_identity(int op);
template <> __device__ __forceinline__ float reduce_identity<float>(int op) {
    return op == R_SUM ? 0.0f : (op == R_MAX ? -INFINITY : INFINITY);
}
template <> __device__ __forceinline__ double reduce_identity<double>(int op) {
    return op == R_SUM ? 0.0 : (op == R_MAX ? -INFINITY : INFINITY);
}
template <> __device__ __forceinline__ i64 reduce_identity<i64>(int op) {
    return op == R_SUM ? 0 : (op == R_MAX ? (i64) 0x8000000000000000ULL : 0x7FFFFFFFFFFFFFFFLL);
}

__device__ __forceinline__ float combine(int op, float a, float b) { return op == R_SUM ? a + b : (op == R_MAX ? jmaxf(a, b) : jminf(a, b)); }
__device__ __forceinline__ double combine(int op, double a, double b) { return op == R_SUM ? a + b : (op == R_MAX ? jmax(a, b) : jmin(a, b)); }
__device__ __forceinline__ i64 combine(int op, i64 a, i64 b) { return op == R_SUM ? a + b : (op == R_MAX ? (a > b ? a : b) : (a < b ? a : b)); }

template <typename T>
__device__ void reduce_rows_impl(int op, const T* x, int n, int chunk, T* y) {
    extern __shared__ unsigned char smem[];
    T* scratch = (T*) smem;
    int chunks = (n + chunk - 1) / chunk;
    int row = blockIdx.x / max(chunks, 1), c = blockIdx.x % max(chunks, 1);
    int start = c * chunk, end = min(n, start + chunk);
    const T* r = x + (i64) row * n;
    T acc = reduce_identity<T>(op);
    for (int j = start + threadIdx.x; j < end; j += blockDim.x) acc = combine(op, acc, r[j]);
    scratch[threadIdx.x] = acc;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) scratch[threadIdx.x] = combine(op, scratch[threadIdx.x], scratch[threadIdx.x + s]);
        __syncthreads();
    }
    if (threadIdx.x == 0) y[(i64) row * chunks + c] = scratch[0];
}

// y[row * chunks + c] = reduce(x[row, c*chunk .. (c+1)*chunk)); grid = rows * chunks, dynamic smem = blockDim * sizeof(T).
extern "C" __global__ void reduce_rows_f32(int op, const float* x, int n, int chunk, float* y) { reduce_rows_impl<float>(op, x, n, chunk, y); }
extern "C" __global__ void reduce_rows_f64(int op, const double* x, int n, int chunk, double* y) { reduce_rows_impl<double>(op, x, n, chunk, y); }
extern "C" __global__ void reduce_rows_i64(int op, const i64* x, int n, int chunk, i64* y) { reduce_rows_impl<i64>(op, x, n, chunk, y); }

template <typename T>
__device__ void reduce_cols_impl(int op, const T* x, int outer, int reduced, int inner, int chunk, T* y) {
    int chunks = (reduced + chunk - 1) / chunk;
    i64 total = (i64) outer * chunks * inner;
    FOR_EACH(t, total) {
        int i = (int) (t % inner);
        i64 oc = t / inner;
        int c = (int) (oc % chunks), o = (int) (oc / chunks);
        int start = c * chunk, end = min(reduced, start + chunk);
        const T* base = x + ((i64) o * reduced) * inner + i;
        T acc = reduce_identity<T>(op);
        for (int r = start; r < end; r++) acc = combine(op, acc, base[(i64) r * inner]);
        y[((i64) o * chunks + c) * inner + i] = acc;
    }
}

// y[o, c, i] = reduce over r in chunk c of x[o, r, i]. With chunk >= reduced, y is the result [outer, inner].
extern "C" __global__ void reduce_cols_f32(int op, const float* x, int outer, int reduced, int inner, int chunk, float* y) {
    reduce_cols_impl<float>(op, x, outer, reduced, inner, chunk, y);
}
extern "C" __global__ void reduce_cols_f64(int op, const double* x, int outer, int reduced, int inner, int chunk, double* y) {
    reduce_cols_impl<double>(op, x, outer, reduced, inner, chunk, y);
}
extern "C" __global__ void reduce_cols_i64(int op, const i64* x, int outer, int reduced, int inner, int chunk, i64* y) {
    reduce_cols_impl<i64>(op, x, outer, reduced, inner, chunk, y);
}

// ---------------------------------------------------------------------------------------------- argmax / argmin

// (value, index) pairs ordered so that the winner is unique whatever the reduction order: the first NaN if any (as
// the CPU loop, which stops at the first NaN, for argmax and argmin alike), else the extreme value at the lowest index.
__device__ __forceinline__ bool arg_better(bool isMax, double v1, int i1, double v2, int i2) {
    bool n1 = v1 != v1, n2 = v2 != v2;
    if (n1 || n2) return n1 && (!n2 || i1 < i2);
    if (v1 != v2) return isMax ? v1 > v2 : v1 < v2;
    return i1 < i2;
}

__device__ __forceinline__ bool arg_better_i(bool isMax, i64 v1, int i1, i64 v2, int i2) {
    if (v1 != v2) return isMax ? v1 > v2 : v1 < v2;
    return i1 < i2;
}

// out[row] = index of the first max (min) of row row of the contiguous [rows, n] x; one block (256 threads) per row.
extern "C" __global__ void arg_reduce(int isMax, const void* x, int xType, int n, i64* out) {
    __shared__ double vals[256];
    __shared__ i64 ivals[256];
    __shared__ int idx[256];
    i64 base = (i64) blockIdx.x * n;
    bool integral = is_integral(xType);
    double best = 0;
    i64 ibest = 0;
    int bi = -1;
    for (int j = threadIdx.x; j < n; j += blockDim.x) {
        if (integral) {
            i64 v = load_i64(x, xType, base + j);
            if (bi < 0 || arg_better_i(isMax, v, j, ibest, bi)) { ibest = v; bi = j; }
        } else {
            double v = load_f64(x, xType, base + j);
            if (bi < 0 || arg_better(isMax, v, j, best, bi)) { best = v; bi = j; }
        }
    }
    vals[threadIdx.x] = best;
    ivals[threadIdx.x] = ibest;
    idx[threadIdx.x] = bi;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) {
            int j2 = idx[threadIdx.x + s];
            if (j2 >= 0) {
                int j1 = idx[threadIdx.x];
                bool take = j1 < 0 || (integral ? arg_better_i(isMax, ivals[threadIdx.x + s], j2, ivals[threadIdx.x], j1)
                                                : arg_better(isMax, vals[threadIdx.x + s], j2, vals[threadIdx.x], j1));
                if (take) {
                    vals[threadIdx.x] = vals[threadIdx.x + s];
                    ivals[threadIdx.x] = ivals[threadIdx.x + s];
                    idx[threadIdx.x] = j2;
                }
            }
        }
        __syncthreads();
    }
    if (threadIdx.x == 0) out[blockIdx.x] = idx[0] < 0 ? 0 : idx[0];
}

// ---------------------------------------------------------------------------------------------- cumsum

// Inclusive prefix sums of the rows of a contiguous [rows, n] x, one thread per row adding left to right: the CPU's
// order, so F32 results equal the CPU's bit for bit. domain 0/1/2 = F32/F64/I64 (the output's dtype).
extern "C" __global__ void cumsum_rows(int domain, const void* x, int xType, int rows, int n, void* out) {
    FOR_EACH(r, rows) {
        i64 base = r * n;
        if (domain == 0) {
            float acc = 0.0f;
            for (int j = 0; j < n; j++) ((float*) out)[base + j] = acc += load_f32(x, xType, base + j);
        } else if (domain == 1) {
            double acc = 0.0;
            for (int j = 0; j < n; j++) ((double*) out)[base + j] = acc += load_f64(x, xType, base + j);
        } else {
            i64 acc = 0;
            for (int j = 0; j < n; j++) ((i64*) out)[base + j] = acc += load_i64(x, xType, base + j);
        }
    }
}
