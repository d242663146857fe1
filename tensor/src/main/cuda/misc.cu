// Sorting (stable, with top-k), Philox random numbers, and the matrix-vector products of token-by-token decoding.
#include "crs4j.cuh"

// ---------------------------------------------------------------------------------------------- sort

// A row's elements become 64-bit keys whose unsigned order is the value order of Sorting (NaN largest, -0.0 == 0.0;
// descending: the complement), paired with their index. Sorting (key, index) pairs, which are all distinct, by a
// bitonic network gives exactly the stable order. Rows are padded to P (a power of two) with keys that sort last.
__device__ __forceinline__ unsigned long long order_key(const void* x, int xType, i64 i) {
    if (is_integral(xType)) return (unsigned long long) load_i64(x, xType, i) ^ 0x8000000000000000ULL;
    double v = load_f64(x, xType, i);
    if (v != v) return 0xFFFFFFFFFFFFFFFEULL;
    unsigned long long b = (unsigned long long) __double_as_longlong(v + 0.0);
    return (b & 0x8000000000000000ULL) ? ~b : (b | 0x8000000000000000ULL);
}

// keys/idx [rows, P] from the contiguous rows [rows, n] of x.
extern "C" __global__ void sort_keys(const void* x, int xType, int rows, int n, int P, int descending,
                                     unsigned long long* keys, int* idx) {
    FOR_EACH(i, (i64) rows * P) {
        int p = (int) (i % P);
        i64 r = i / P;
        unsigned long long k = 0xFFFFFFFFFFFFFFFFULL;
        if (p < n) {
            k = order_key(x, xType, r * n + p);
            if (descending) k = ~k;
        }
        keys[i] = k;
        idx[i] = p;
    }
}

__device__ __forceinline__ bool pair_less(unsigned long long ka, int ia, unsigned long long kb, int ib) {
    return ka < kb || (ka == kb && ia < ib);
}

// One compare-exchange stage (k, j) of the bitonic network, over all rows at once (for P above the shared-memory size).
extern "C" __global__ void bitonic_step(unsigned long long* keys, int* idx, int rows, int P, int j, int k) {
    FOR_EACH(i, (i64) rows * P) {
        int p = (int) (i % P), l = p ^ j;
        if (l <= p) continue;
        i64 a = i, b = i - p + l;
        bool ascending = (p & k) == 0;
        bool swap = ascending ? pair_less(keys[b], idx[b], keys[a], idx[a]) : pair_less(keys[a], idx[a], keys[b], idx[b]);
        if (swap) {
            unsigned long long tk = keys[a]; keys[a] = keys[b]; keys[b] = tk;
            int ti = idx[a]; idx[a] = idx[b]; idx[b] = ti;
        }
    }
}

// The whole network for one row per block in shared memory, P <= 2048 (blockDim 1024, dynamic smem P * 12 bytes).
extern "C" __global__ void bitonic_sort_shared(unsigned long long* keys, int* idx, int P) {
    extern __shared__ unsigned long long sk[];
    int* si = (int*) (sk + P);
    i64 base = (i64) blockIdx.x * P;
    for (int p = threadIdx.x; p < P; p += blockDim.x) {
        sk[p] = keys[base + p];
        si[p] = idx[base + p];
    }
    __syncthreads();
    for (int k = 2; k <= P; k <<= 1) {
        for (int j = k >> 1; j > 0; j >>= 1) {
            for (int p = threadIdx.x; p < P; p += blockDim.x) {
                int l = p ^ j;
                if (l > p) {
                    bool ascending = (p & k) == 0;
                    bool swap = ascending ? pair_less(sk[l], si[l], sk[p], si[p]) : pair_less(sk[p], si[p], sk[l], si[l]);
                    if (swap) {
                        unsigned long long tk = sk[p]; sk[p] = sk[l]; sk[l] = tk;
                        int ti = si[p]; si[p] = si[l]; si[l] = ti;
                    }
                }
            }
            __syncthreads();
        }
    }
    for (int p = threadIdx.x; p < P; p += blockDim.x) {
        keys[base + p] = sk[p];
        idx[base + p] = si[p];
    }
}

// The first k of each sorted row: indices (I64) and values (x's elements, in the domain dtype) [rows, k].
extern "C" __global__ void sort_output(const void* x, int xType, int rows, int n, int P, int k, const int* idx,
                                       void* values, int valuesType, i64* indices) {
    FOR_EACH(i, (i64) rows * k) {
        i64 r = i / k;
        int t = (int) (i % k), j = idx[r * P + t];
        indices[i] = j;
        if (is_integral(valuesType)) store_i64(values, valuesType, i, load_i64(x, xType, r * n + j));
        else store_f64(values, valuesType, i, load_f64(x, xType, r * n + j));
    }
}

// ---------------------------------------------------------------------------------------------- Philox random numbers

// Philox4x32-10 of org.crs4j.tensor.Generator: element i of a draw uses counter start + i and the seed as key, so the
// stream equals the CPU's whatever the backend.
__device__ __forceinline__ void philox(unsigned long long counter, unsigned long long key, unsigned (&w)[4]) {
    unsigned c0 = (unsigned) counter, c1 = (unsigned) (counter >> 32), c2 = 0, c3 = 0;
    unsigned k0 = (unsigned) key, k1 = (unsigned) (key >> 32);
#pragma unroll
    for (int round = 0; round < 10; round++) {
        unsigned long long p0 = (unsigned long long) 0xD2511F53u * c0;
        unsigned long long p1 = (unsigned long long) 0xCD9E8D57u * c2;
        unsigned n0 = (unsigned) (p1 >> 32) ^ c1 ^ k0, n1 = (unsigned) p1;
        unsigned n2 = (unsigned) (p0 >> 32) ^ c3 ^ k1, n3 = (unsigned) p0;
        c0 = n0; c1 = n1; c2 = n2; c3 = n3;
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    w[0] = c0; w[1] = c1; w[2] = c2; w[3] = c3;
}

// Math.nextDown for finite b.
__device__ __forceinline__ double next_down(double b) {
    if (b == 0.0) return -4.9406564584124654e-324;
    return __longlong_as_double(__double_as_longlong(b) + (b > 0.0 ? -1LL : 1LL));
}

__device__ __forceinline__ double uniform53(unsigned hi, unsigned lo) {
    unsigned long long bits = ((unsigned long long) hi << 21) ^ ((unsigned long long) lo >> 11);
    return (double) bits * 0x1.0p-53;
}

// distribution 0: uniform in [a, b) (F32 from 24 random bits, F64 from 53); 1: normal (mean a, std b), Box-Muller
// in double. out is F32 or F64 (isF64).
extern "C" __global__ void random_fill(i64 n, int distribution, unsigned long long start, unsigned long long key,
                                       double a, double b, int isF64, void* out) {
    FOR_EACH(i, n) {
        unsigned w[4];
        philox(start + (unsigned long long) i, key, w);
        double v;
        if (distribution == 0) {
            double u = isF64 ? uniform53(w[0], w[1]) : (double) ((float) (w[0] >> 8) * 0x1.0p-24f);
            v = a + (b - a) * u;
            if (v >= b && b > a) v = next_down(b);
        } else {
            double u1 = 1.0 - uniform53(w[0], w[1]), u2 = uniform53(w[2], w[3]);
            v = a + b * (sqrt(-2.0 * log(u1)) * cos(2.0 * 3.14159265358979323846 * u2));
        }
        if (isF64) ((double*) out)[i] = v;
        else ((float*) out)[i] = (float) v;
    }
}

// ---------------------------------------------------------------------------------------------- matrix-vector

// y[r, j] = sum_p x[r, p] W[j, p] for r < m (a few rows: decoding), W row-major [n, k] (row stride ldw) in F32, BF16 or
// F16, x F32 contiguous [m, k], y F32 [m, n]. A warp per output j reads W's row once for all m rows, 16 bytes per
// lane per load when the row is 16-byte aligned; the lanes' partial sums meet by shuffles. Memory-bound: W streams once.
#define MV_MAX_ROWS 8

__device__ __forceinline__ void add8(float (&acc)[MV_MAX_ROWS], int m, const float* x, int k, int p, const float (&w)[8]) {
    for (int r = 0; r < m; r++) {
        const float4* xr = (const float4*) (x + (i64) r * k + p);
        float4 a = xr[0], b = xr[1];
        acc[r] += a.x * w[0] + a.y * w[1] + a.z * w[2] + a.w * w[3] + b.x * w[4] + b.y * w[5] + b.z * w[6] + b.w * w[7];
    }
}

extern "C" __global__ void matvec_rows(const void* W, int wType, i64 ldw, const float* x, int m, int k, int n, float* y, int ldy) {
    int lane = threadIdx.x & 31;
    int j = blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32;
    if (j >= n) return;
    float acc[MV_MAX_ROWS] = {};
    int es = wType == DT_F32 ? 4 : 2;
    const char* row = (const char*) W + (i64) j * ldw * es;
    bool vec = (k % 8 == 0) && (((unsigned long long) row) % 16 == 0) && (((unsigned long long) x) % 16 == 0);
    int p = 0;
    if (vec) {
        for (p = lane * 8; p + 8 <= k; p += 32 * 8) {
            float w[8];
            if (wType == DT_F32) {
                float4 a = *(const float4*) (row + (i64) p * 4), b = *(const float4*) (row + (i64) p * 4 + 16);
                w[0] = a.x; w[1] = a.y; w[2] = a.z; w[3] = a.w; w[4] = b.x; w[5] = b.y; w[6] = b.z; w[7] = b.w;
            } else {
                uint4 q = *(const uint4*) (row + (i64) p * 2);
                unsigned u[4] = {q.x, q.y, q.z, q.w};
#pragma unroll
                for (int t = 0; t < 4; t++) {
                    if (wType == DT_BF16) {
                        w[2 * t] = __uint_as_float(u[t] << 16);
                        w[2 * t + 1] = __uint_as_float(u[t] & 0xFFFF0000u);
                    } else {
                        w[2 * t] = f16_to_float((unsigned short) (u[t] & 0xFFFFu));
                        w[2 * t + 1] = f16_to_float((unsigned short) (u[t] >> 16));
                    }
                }
            }
            add8(acc, m, x, k, p, w);
        }
    } else {
        for (p = lane; p < k; p += 32) {
            float wv = load_f32(row, wType, p);
            for (int r = 0; r < m; r++) acc[r] += x[(i64) r * k + p] * wv;
        }
    }
    for (int r = 0; r < m; r++) {
        float v = acc[r];
        for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xFFFFFFFFu, v, o);
        if (lane == 0) y[(i64) r * ldy + j] = v;
    }
}

// y[r, j] = sum_p x[r, p] B[p, j], B row-major [k, n] (row stride ldb): one thread per output column j (consecutive
// threads read consecutive columns), all m rows at once.
extern "C" __global__ void matvec_cols(const void* B, int bType, i64 ldb, const float* x, int m, int k, int n, float* y, int ldy) {
    FOR_EACH(j, n) {
        float acc[MV_MAX_ROWS] = {};
        for (int p = 0; p < k; p++) {
            float b = load_f32(B, bType, (i64) p * ldb + j);
            for (int r = 0; r < m; r++) acc[r] += x[(i64) r * k + p] * b;
        }
        for (int r = 0; r < m; r++) y[(i64) r * ldy + j] = acc[r];
    }
}
