// Index ops and graph aggregation: bounds checks, gather, index_select, index_add and scatter_add (deterministic by
// default, atomic variants), sparse-times-dense (CSR), and the grouped matrix products of relational graph layers
// (segment_matmul and its weight gradient).
//
// Deterministic means: every output element is summed by one thread, in the CPU's order, so results are the same on
// every run and equal the CPU backend's bit for bit. The atomic variants add with atomicAdd from one thread per
// source element: faster when destinations are few and sources many, but float sums then depend on timing.
#include "crs4j.cuh"

// ---------------------------------------------------------------------------------------------- bounds

// Finds the first index outside [0, size): bad[0] = lowest such position (atomicMin), bad[1] its value at the end
// (the host reads both after a synchronising copy). Indices are read through a one-operand Layout.
extern "C" __global__ void index_bounds(i64 n, Layout L, const void* index, int indexType, int size, i64* firstBad) {
    FOR_EACH(i, n) {
        i64 off[1];
        layout_offsets<1>(L, i, off);
        i64 v = load_i64(index, indexType, off[0]);
        if (v < 0 || v >= size) atomicMin((unsigned long long*) firstBad, (unsigned long long) i);
    }
}

// ---------------------------------------------------------------------------------------------- gather

// out[pos] = x[base(pos) + index[pos] * dimStride] over the index's shape (Layout 0: out, 1: x with stride 0 along
// dim, 2: index). Indices are checked beforehand.
extern "C" __global__ void gather(i64 n, Layout L, void* out, int outType, const void* x, int xType, const void* index,
                                  int indexType, int dimStride) {
    FOR_EACH(i, n) {
        i64 off[3];
        layout_offsets<3>(L, i, off);
        i64 src = off[1] + load_i64(index, indexType, off[2]) * dimStride;
        if (is_integral(outType)) store_i64(out, outType, off[0], load_i64(x, xType, src));
        else if (outType == DT_F32) ((float*) out)[off[0]] = load_f32(x, xType, src);
        else store_f64(out, outType, off[0], load_f64(x, xType, src));
    }
}

// out [outer, len, inner] contiguous: out[o, l, q] = x[layout(o, q) + index[l] * dimStride]. The Layout walks x's
// dims other than dim (operand 0), row-major position o * inner + q.
extern "C" __global__ void index_select(i64 n, Layout L, int len, int inner, void* out, int outType, const void* x,
                                        int xType, const i64* index, int dimStride) {
    FOR_EACH(i, n) {
        int q = (int) (i % inner);
        i64 ol = i / inner;
        int l = (int) (ol % len);
        i64 o = ol / len;
        i64 off[1];
        layout_offsets<1>(L, o * inner + q, off);
        i64 src = off[0] + index[l] * dimStride;
        if (is_integral(outType)) store_i64(out, outType, i, load_i64(x, xType, src));
        else if (outType == DT_F32) ((float*) out)[i] = load_f32(x, xType, src);
        else store_f64(out, outType, i, load_f64(x, xType, src));
    }
}

// ---------------------------------------------------------------------------------------------- index_add

// Deterministic index_add into out (already a copy of self, contiguous, dtype of the domain): destinations grouped by
// a counting sort on the host (start: [size + 1], order: sources of each destination in source order). One thread per
// (destination d, position q of the other dims): out[d along dim, q] += src[order[p] along dim, q] for p in order, the
// CPU's order. Layout over the other dims: operand 0 = out, 1 = src, position q.
extern "C" __global__ void index_add_sorted(i64 n, Layout L, int inner, void* out, int domain, int outDimStride,
                                            const void* src, int srcType, int srcDimStride, const int* start,
                                            const int* order) {
    FOR_EACH(i, n) {
        int q = (int) (i % inner), d = (int) (i / inner);
        i64 off[2];
        layout_offsets<2>(L, q, off);
        i64 o = off[0] + (i64) d * outDimStride;
        int p0 = start[d], p1 = start[d + 1];
        if (p0 == p1) continue;
        if (domain == 0) {
            float acc = ((float*) out)[o];
            for (int p = p0; p < p1; p++) acc += load_f32(src, srcType, off[1] + (i64) order[p] * srcDimStride);
            ((float*) out)[o] = acc;
        } else if (domain == 1) {
            double acc = ((double*) out)[o];
            for (int p = p0; p < p1; p++) acc += load_f64(src, srcType, off[1] + (i64) order[p] * srcDimStride);
            ((double*) out)[o] = acc;
        } else {
            i64 acc = ((i64*) out)[o];
            for (int p = p0; p < p1; p++) acc += load_i64(src, srcType, off[1] + (i64) order[p] * srcDimStride);
            ((i64*) out)[o] = acc;
        }
    }
}

// The atomic variant: one thread per source element, out[index[j] along dim, q] += src[j along dim, q].
extern "C" __global__ void index_add_atomic(i64 n, Layout L, int inner, void* out, int domain, int outDimStride,
                                            const void* src, int srcType, int srcDimStride, const i64* index) {
    FOR_EACH(i, n) {
        int q = (int) (i % inner), j = (int) (i / inner);
        i64 off[2];
        layout_offsets<2>(L, q, off);
        i64 o = off[0] + index[j] * outDimStride, s = off[1] + (i64) j * srcDimStride;
        if (domain == 0) atomicAdd((float*) out + o, load_f32(src, srcType, s));
        else if (domain == 1) atomicAdd((double*) out + o, load_f64(src, srcType, s));
        else atomicAdd((unsigned long long*) out + o, (unsigned long long) load_i64(src, srcType, s));
    }
}

// ---------------------------------------------------------------------------------------------- scatter_add

// scatter_add in general form: out[index[pos] along dim, rest(pos)] += src[pos] over the index's shape. The index's
// positions are walked as [columns, along]: one thread per column (the other dims), adding along dim in increasing
// order, which is the CPU's order for every destination. Layout over the columns (the index's shape without dim):
// 0 = out (stride 0 along dim: the index supplies that coordinate), 1 = src, 2 = index; the strides along dim
// are passed apart.
extern "C" __global__ void scatter_add_columns(i64 columns, Layout L, int along, void* out, int domain, int outDimStride,
                                               const void* src, int srcType, int srcAlongStride, const void* index,
                                               int indexType, int indexAlongStride) {
    FOR_EACH(c, columns) {
        i64 off[3];
        layout_offsets<3>(L, c, off);
        for (int a = 0; a < along; a++) {
            i64 dst = off[0] + load_i64(index, indexType, off[2] + (i64) a * indexAlongStride) * outDimStride;
            i64 s = off[1] + (i64) a * srcAlongStride;
            if (domain == 0) ((float*) out)[dst] += load_f32(src, srcType, s);
            else if (domain == 1) ((double*) out)[dst] += load_f64(src, srcType, s);
            else ((i64*) out)[dst] += load_i64(src, srcType, s);
        }
    }
}

// The atomic variant: one thread per index position.
extern "C" __global__ void scatter_add_atomic(i64 n, Layout L, void* out, int domain, int outDimStride, const void* src,
                                              int srcType, const void* index, int indexType) {
    FOR_EACH(i, n) {
        i64 off[3];
        layout_offsets<3>(L, i, off);
        i64 dst = off[0] + load_i64(index, indexType, off[2]) * outDimStride;
        if (domain == 0) atomicAdd((float*) out + dst, load_f32(src, srcType, off[1]));
        else if (domain == 1) atomicAdd((double*) out + dst, load_f64(src, srcType, off[1]));
        else atomicAdd((unsigned long long*) out + dst, (unsigned long long) load_i64(src, srcType, off[1]));
    }
}

// ---------------------------------------------------------------------------------------------- spmm

// y [rows, d] = A x for CSR A (values null: all ones) and contiguous x [cols, d] of the compute dtype. A block per
// row, its threads over the columns; each sums the row's entries in order (SparseKernels' order: y += x, or
// fma(w, x, y) with values), so F32 results equal the CPU's bit for bit.
extern "C" __global__ void spmm_f32(int rows, int d, const int* rowPtr, const int* colIdx, const float* values,
                                    const float* x, float* y) {
    for (int r = blockIdx.x; r < rows; r += gridDim.x) {
        int p0 = rowPtr[r], p1 = rowPtr[r + 1];
        for (int j = threadIdx.x; j < d; j += blockDim.x) {
            float acc = 0.0f;
            for (int p = p0; p < p1; p++) {
                float xv = x[(i64) colIdx[p] * d + j];
                acc = values ? fmaf(values[p], xv, acc) : acc + xv;
            }
            y[(i64) r * d + j] = acc;
        }
    }
}

extern "C" __global__ void spmm_f64(int rows, int d, const int* rowPtr, const int* colIdx, const float* values,
                                    const double* x, double* y) {
    for (int r = blockIdx.x; r < rows; r += gridDim.x) {
        int p0 = rowPtr[r], p1 = rowPtr[r + 1];
        for (int j = threadIdx.x; j < d; j += blockDim.x) {
            double acc = 0.0;
            for (int p = p0; p < p1; p++) acc += (values ? (double) values[p] : 1.0) * x[(i64) colIdx[p] * d + j];
            y[(i64) r * d + j] = acc;
        }
    }
}

// ---------------------------------------------------------------------------------------------- segment matmul

// A 64 x 64 output tile per block of 256 threads, each thread 4 x 4 outputs (rows ty + 16 r, columns tx + 16 c),
// the shared dimension in steps of 16 through shared memory. Operands are read through element strides and dtype
// codes, so transposed views (the backward's w^T, x^T) and BF16 weights need no copies.
#define SEG_T 64
#define SEG_K 16

struct Strided2 {
    const void* p;
    int type;
    i64 rs, cs; // element strides of rows and columns
    __device__ __forceinline__ float at(i64 r, i64 c) const { return load_f32(p, type, r * rs + c * cs); }
};

// acc[r][c] += sum over kk < K of A(row0 + ty + 16 r, kk) B(kk, col0 + tx + 16 c), A rows < m, B cols < n.
__device__ __forceinline__ void tile_product(const Strided2& A, const Strided2& B, int row0, int m, int col0, int n, int K,
                                             float (&acc)[4][4]) {
    __shared__ float As[SEG_K][SEG_T + 1];
    __shared__ float Bs[SEG_K][SEG_T + 1];
    int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
    for (int k0 = 0; k0 < K; k0 += SEG_K) {
        for (int e = threadIdx.x; e < SEG_K * SEG_T; e += blockDim.x) {
            int kk = e / SEG_T, t = e % SEG_T;
            As[kk][t] = (t < m && k0 + kk < K) ? A.at(row0 + t, k0 + kk) : 0.0f;
            Bs[kk][t] = (t < n && k0 + kk < K) ? B.at(k0 + kk, col0 + t) : 0.0f;
        }
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < SEG_K; kk++) {
            float a[4], b[4];
#pragma unroll
            for (int r = 0; r < 4; r++) a[r] = As[kk][ty + 16 * r];
#pragma unroll
            for (int c = 0; c < 4; c++) b[c] = Bs[kk][tx + 16 * c];
#pragma unroll
            for (int r = 0; r < 4; r++)
#pragma unroll
                for (int c = 0; c < 4; c++) acc[r][c] = fmaf(a[r], b[c], acc[r][c]);
        }
        __syncthreads();
    }
}

// out [S, n] (F32, contiguous): rows of group g times w[g]. tiles: (group, first row, rows <= 64) per row tile, made
// by the host from the offsets; grid = (row tiles, column tiles). x [S, k] and w [G, k, n] through strides.
extern "C" __global__ void segment_matmul(const int* tiles, const void* x, int xType, i64 xRs, i64 xCs, const void* w,
                                          int wType, i64 wGs, i64 wRs, i64 wCs, int k, int n, float* out) {
    int g = tiles[3 * blockIdx.x], row0 = tiles[3 * blockIdx.x + 1], m = tiles[3 * blockIdx.x + 2];
    int col0 = blockIdx.y * SEG_T;
    Strided2 A = {x, xType, xRs, xCs};
    Strided2 B = {(const char*) w + (i64) g * wGs * dtype_size(wType),
                  wType, wRs, wCs};
    float acc[4][4] = {};
    tile_product(A, B, row0, m, col0, n - col0, k, acc);
    int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
#pragma unroll
    for (int r = 0; r < 4; r++)
#pragma unroll
        for (int c = 0; c < 4; c++) {
            int row = ty + 16 * r, col = tx + 16 * c;
            if (row < m && col0 + col < n) out[(i64) (row0 + row) * n + col0 + col] = acc[r][c];
        }
}

// out [G, k, n] (F32, contiguous, zero-filled by the host): out[g] = x_g^T y_g over the group's rows, one block per
// (group, k tile, n tile) summing the rows in steps of 16: blockIdx.x = g * ceil(k/64) + k tile, blockIdx.y = n tile.
extern "C" __global__ void segment_transpose_matmul(const int* offsets, int groups, const void* x, int xType, i64 xRs,
                                                    i64 xCs, const void* y, int yType, i64 yRs, i64 yCs, int k, int n,
                                                    float* out) {
    int kTiles = (k + SEG_T - 1) / SEG_T;
    int g = blockIdx.x / kTiles, row0 = (blockIdx.x % kTiles) * SEG_T, col0 = blockIdx.y * SEG_T;
    int s0 = offsets[g], len = offsets[g + 1] - s0;
    // A = x_g^T: A(i, s) = x[s0 + s, i]; B = y_g: B(s, j) = y[s0 + s, j]
    Strided2 A = {(const char*) x, xType, xCs, xRs};
    Strided2 B = {(const char*) y, yType, yRs, yCs};
    A.p = (const char*) x + (i64) s0 * xRs * dtype_size(xType);
    B.p = (const char*) y + (i64) s0 * yRs * dtype_size(yType);
    float acc[4][4] = {};
    if (len > 0) tile_product(A, B, row0, k - row0, col0, n - col0, len, acc);
    int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
#pragma unroll
    for (int r = 0; r < 4; r++)
#pragma unroll
        for (int c = 0; c < 4; c++) {
            int row = row0 + ty + 16 * r, col = col0 + tx + 16 * c;
            if (row < k && col < n) out[((i64) g * k + row) * n + col] = acc[r][c];
        }
}
