// Fused scaled dot-product attention, softmax((q scale) k^T + bias) v, with grouped key/value heads (query head h reads
// key/value head h / (H / Hkv)), an additive bias of any broadcast layout (padding masks, T5's relative position bias)
// and an optional causal mask (key j visible to query i iff j <= i + Tk - Tq: aligned at the bottom right, as a KV
// cache's new rows). F32 arithmetic; q, k, v and the bias are read in their stored dtype (F32, BF16, F16) through
// element strides, so head-split views and KV-cache buffers need no copies.
//
//   attention_forward<D>   FlashAttention's tiling: 64 query rows per block, keys in tiles of 64 through shared memory,
//                          the softmax online (running max m and sum l per row; the output rescaled by exp(m_old - m)
//                          when the max grows), so the Tq x Tk scores never reach global memory. Writes the output and,
//                          for the backward pass, each row's (m, l).
//   attention_decode       few query rows (token-by-token decoding): the keys split into chunks of 256, a block per
//                          (row, chunk) scoring one key per thread, then attention_combine merges the chunks' partial
//                          (max, sum, weighted values): FlashDecoding's split over the keys.
//   attention_backward_dkdv<D>, attention_backward_dq<D>
//                          FlashAttention-2's backward from each row's (m, l) and D = rowsum(dO o O):
//                          P = exp(S - m) / l, dV = P^T dO, dP = dO V^T, dS = P o (dP - D), dK = dS^T (Q scale),
//                          dQ = dS K scale. dK/dV by key tile (looping over the group's query heads and query tiles)
//                          and dQ by query tile (looping over key tiles): every gradient element is summed by one
//                          thread in a fixed order, no atomics, so gradients are deterministic. m and l are kept apart
//                          rather than as FlashAttention's log-sum-exp m + log(l): nn masks with the finite -FLT_MAX,
//                          and at that magnitude m + log(l) rounds to m, which would make P = exp(S - lse) wrong.
//
// D is the head dim rounded up to 16, 32, 64 or 128 (d and dv <= D; wider heads take the composed path on the host).
// Thread (ty, tx) of the 16 x 16 block owns rows ty*R + r and columns tx + 16 c of each output tile.
#include "crs4j.cuh"

extern __shared__ float smem[]; // every kernel here lays out its own tiles in the dynamic shared memory

// Any dtype, out of line: inlining load_f32's dtype switch at every unrolled load made each kernel 5,000 PTX lines.
__device__ __noinline__ float load_any(const char* p, int type, i64 i) {
    return load_f32(p, type, i);
}

// A 4-d operand: byte pointer (0 when absent), dtype, element strides. F32 is read inline, other dtypes out of line.
struct T4 {
    const char* p;
    i64 type;
    i64 s[4];
    __device__ __forceinline__ float at(i64 a, i64 b, i64 c, i64 d) const {
        i64 i = a * s[0] + b * s[1] + c * s[2] + d * s[3];
        return type == DT_F32 ? ((const float*) p)[i] : load_any(p, (int) type, i);
    }
};

#define BQ 64
#define BK 64
#define BQ_BWD 32

__device__ __forceinline__ float group16_max(float v) {
#pragma unroll
    for (int o = 8; o > 0; o >>= 1) v = jmaxf(v, __shfl_xor_sync(0xFFFFFFFFu, v, o));
    return v;
}

__device__ __forceinline__ float group16_sum(float v) {
#pragma unroll
    for (int o = 8; o > 0; o >>= 1) v += __shfl_xor_sync(0xFFFFFFFFu, v, o);
    return v;
}

// The score of query i, key j after bias and masks: -inf where masked (causal, or a padded key past Tk).
__device__ __forceinline__ float finish_score(float s, const T4& bias, int b, int h, int i, int j, int Tq, int Tk, int causal) {
    if (j >= Tk) return -INFINITY;
    if (i >= Tq) return s;
    if (causal && j > i + (Tk - Tq)) return -INFINITY;
    if (bias.p) s += bias.at(b, h, i, j);
    return s;
}

// Loads rows [row0, row0 + rows) (< limit) of a [.., T, width] operand of (b, head) into a [rows][D + 1] tile, zero
// beyond limit or width, times mul.
template <int D>
__device__ __forceinline__ void load_tile(float* tile, int rows, const T4& t, int b, int head, int row0, int limit, int width,
                                          float mul) {
    for (int e = threadIdx.x; e < rows * D; e += blockDim.x) {
        int r = e / D, p = e % D;
        float v = 0.0f;
        if (row0 + r < limit && p < width) v = t.at(b, head, row0 + r, p) * mul;
        tile[r * (D + 1) + p] = v;
    }
}

// ---------------------------------------------------------------------------------------------- forward

template <int D>
__device__ void attention_forward_impl(T4 q, T4 k, T4 v, T4 bias, int H, int Hkv, int Tq, int Tk, int d, int dv,
                                       float scale, int causal, float* out, float* stats) {
    float* Qs = smem;                    // [BQ][D + 1]
    float* KVs = Qs + BQ * (D + 1);      // [BK][D + 1]: K, then V of the same keys
    float* Ps = KVs + BK * (D + 1);      // [BQ][BK + 1]
    const int C = D / 16;
    int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
    int q0 = blockIdx.x * BQ, h = blockIdx.y, b = blockIdx.z, hk = h / (H / Hkv);

    load_tile<D>(Qs, BQ, q, b, h, q0, Tq, d, scale); // scaled once, as the CPU's q.mul(scale)
    float o[4][C], m[4], l[4];
#pragma unroll
    for (int r = 0; r < 4; r++) {
        m[r] = -INFINITY;
        l[r] = 0.0f;
#pragma unroll
        for (int c = 0; c < C; c++) o[r][c] = 0.0f;
    }
    int lastQuery = min(Tq, q0 + BQ) - 1;
    int keyEnd = causal ? min(Tk, lastQuery + (Tk - Tq) + 1) : Tk;
    for (int k0 = 0; k0 < keyEnd; k0 += BK) {
        load_tile<D>(KVs, BK, k, b, hk, k0, Tk, d, 1.0f);
        __syncthreads();
        float s[4][4];
#pragma unroll
        for (int r = 0; r < 4; r++)
#pragma unroll
            for (int c = 0; c < 4; c++) s[r][c] = 0.0f;
#pragma unroll 4
        for (int p = 0; p < D; p++) {
            float a[4], kk[4];
#pragma unroll
            for (int r = 0; r < 4; r++) a[r] = Qs[(ty * 4 + r) * (D + 1) + p];
#pragma unroll
            for (int c = 0; c < 4; c++) kk[c] = KVs[(tx + 16 * c) * (D + 1) + p];
#pragma unroll
            for (int r = 0; r < 4; r++)
#pragma unroll
                for (int c = 0; c < 4; c++) s[r][c] = fmaf(a[r], kk[c], s[r][c]);
        }
#pragma unroll
        for (int r = 0; r < 4; r++) {
            int i = q0 + ty * 4 + r;
            float mt = -INFINITY;
#pragma unroll
            for (int c = 0; c < 4; c++) {
                s[r][c] = finish_score(s[r][c], bias, b, h, i, k0 + tx + 16 * c, Tq, Tk, causal);
                mt = jmaxf(mt, s[r][c]);
            }
            mt = group16_max(mt);
            float mNew = jmaxf(m[r], mt);
            float mUse = mNew == -INFINITY ? 0.0f : mNew;
            float rs = 0.0f;
#pragma unroll
            for (int c = 0; c < 4; c++) {
                s[r][c] = expf(s[r][c] - mUse);
                rs += s[r][c];
            }
            rs = group16_sum(rs);
            float alpha = expf(m[r] - mUse);
            l[r] = l[r] * alpha + rs;
            m[r] = mNew;
#pragma unroll
            for (int c = 0; c < C; c++) o[r][c] *= alpha;
        }
        __syncthreads(); // every thread is done with K
#pragma unroll
        for (int r = 0; r < 4; r++)
#pragma unroll
            for (int c = 0; c < 4; c++) Ps[(ty * 4 + r) * (BK + 1) + tx + 16 * c] = s[r][c];
        load_tile<D>(KVs, BK, v, b, hk, k0, Tk, dv, 1.0f);
        __syncthreads();
#pragma unroll 2
        for (int j = 0; j < BK; j++) {
            float vv[C];
#pragma unroll
            for (int c = 0; c < C; c++) vv[c] = KVs[j * (D + 1) + tx + 16 * c];
#pragma unroll
            for (int r = 0; r < 4; r++) {
                float pr = Ps[(ty * 4 + r) * (BK + 1) + j];
#pragma unroll
                for (int c = 0; c < C; c++) o[r][c] = fmaf(pr, vv[c], o[r][c]);
            }
        }
        __syncthreads(); // before the next tile overwrites K/V and P
    }
#pragma unroll
    for (int r = 0; r < 4; r++) {
        int i = q0 + ty * 4 + r;
        if (i >= Tq) continue;
        i64 row = ((i64) b * H + h) * Tq + i;
        float inv = 1.0f / l[r];
#pragma unroll
        for (int c = 0; c < C; c++) {
            int col = tx + 16 * c;
            if (col < dv) out[row * dv + col] = o[r][c] * inv;
        }
        if (stats && tx == 0) {
            stats[2 * row] = m[r];
            stats[2 * row + 1] = l[r];
        }
    }
}

#define FORWARD(D)                                                                                                      \
    extern "C" __global__ void __launch_bounds__(256) attention_forward_##D(T4 q, T4 k, T4 v, T4 bias, int H, int Hkv,  \
            int Tq, int Tk, int d, int dv, float scale, int causal, float* out, float* stats) {                           \
        attention_forward_impl<D>(q, k, v, bias, H, Hkv, Tq, Tk, d, dv, scale, causal, out, stats);                      \
    }
FORWARD(16)
FORWARD(32)
FORWARD(64)
FORWARD(128)

// ---------------------------------------------------------------------------------------------- decode

#define DECODE_CHUNK 256

// grid (B * H * Tq, chunks); block DECODE_CHUNK; dynamic smem (d + DECODE_CHUNK) floats. Writes for each (row, chunk)
// the chunk's max score, sum of exp(score - max), and sum of exp(score - max) v over its keys into
// partial[(row * chunks + chunk) * (dv + 2) + ...] = {max, sum, values[dv]}.
extern "C" __global__ void attention_decode(T4 q, T4 k, T4 v, T4 bias, int H, int Hkv, int Tq, int Tk, int d, int dv,
                                            float scale, int causal, float* partial) {
    float* qs = smem;          // [d]
    float* ps = smem + d;      // [DECODE_CHUNK]
    __shared__ float scratch[DECODE_CHUNK];
    int chunk = blockIdx.y, chunks = gridDim.y;
    int row = blockIdx.x, i = row % Tq, h = (row / Tq) % H, b = row / (Tq * H), hk = h / (H / Hkv);
    for (int p = threadIdx.x; p < d; p += blockDim.x) qs[p] = q.at(b, h, i, p) * scale;
    __syncthreads();
    int j = chunk * DECODE_CHUNK + threadIdx.x;
    float s = -INFINITY;
    if (j < Tk && !(causal && j > i + (Tk - Tq))) {
        float acc = 0.0f;
        for (int p = 0; p < d; p++) acc = fmaf(qs[p], k.at(b, hk, j, p), acc);
        s = bias.p ? acc + bias.at(b, h, i, j) : acc;
    }
    float m = block_reduce<float>(s, scratch, MaxOpF());
    float mUse = m == -INFINITY ? 0.0f : m;
    float e = expf(s - mUse);
    ps[threadIdx.x] = e;
    float l = block_reduce<float>(e, scratch, SumOp()); // also orders the ps writes before the reads below
    float* out = partial + ((i64) row * chunks + chunk) * (dv + 2);
    int j0 = chunk * DECODE_CHUNK, n = min(DECODE_CHUNK, Tk - j0);
    for (int c = threadIdx.x; c < dv; c += blockDim.x) {
        float acc = 0.0f;
        for (int t = 0; t < n; t++) acc = fmaf(ps[t], v.at(b, hk, j0 + t, c), acc);
        out[2 + c] = acc;
    }
    if (threadIdx.x == 0) {
        out[0] = m;
        out[1] = l;
    }
}

// out [rows, dv] (and stats [rows, 2] = (max, sum) when not null) from the chunks' partials: one block per row.
extern "C" __global__ void attention_combine(const float* partial, int chunks, int dv, float* out, float* stats) {
    int row = blockIdx.x;
    const float* p = partial + (i64) row * chunks * (dv + 2);
    float M = -INFINITY;
    for (int c = 0; c < chunks; c++) M = jmaxf(M, p[c * (dv + 2)]);
    float mUse = M == -INFINITY ? 0.0f : M;
    float L = 0.0f;
    for (int c = 0; c < chunks; c++) L += p[c * (dv + 2) + 1] * expf(p[c * (dv + 2)] - mUse);
    for (int col = threadIdx.x; col < dv; col += blockDim.x) {
        float acc = 0.0f;
        for (int c = 0; c < chunks; c++) acc += p[c * (dv + 2) + 2 + col] * expf(p[c * (dv + 2)] - mUse);
        out[(i64) row * dv + col] = acc / L;
    }
    if (stats && threadIdx.x == 0) {
        stats[2 * row] = M;
        stats[2 * row + 1] = L;
    }
}

// ---------------------------------------------------------------------------------------------- backward

// Drow[row] = sum_c dO[row, c] O[row, c] over contiguous [rows, dv] F32 tensors: one warp per row.
extern "C" __global__ void attention_row_dot(const float* dO, const float* O, int rows, int dv, float* Drow) {
    int warp = (blockIdx.x * blockDim.x + threadIdx.x) / 32, lane = threadIdx.x % 32;
    if (warp >= rows) return;
    float acc = 0.0f;
    for (int c = lane; c < dv; c += 32) acc += dO[(i64) warp * dv + c] * O[(i64) warp * dv + c];
    for (int o = 16; o > 0; o >>= 1) acc += __shfl_xor_sync(0xFFFFFFFFu, acc, o);
    if (lane == 0) Drow[warp] = acc;
}

// dK, dV [B, Hkv, Tk, d|dv] (F32, contiguous) for one key tile of 64 per block: grid (ceil(Tk/64), Hkv, B).
// dO is F32 contiguous [B, H, Tq, dv]; stats [B, H, Tq, 2] = the forward's (m, l); Drow [B, H, Tq].
template <int D>
__device__ void attention_backward_dkdv_impl(T4 q, T4 k, T4 v, T4 bias, const float* dO, const float* stats, const float* Drow,
                                             int H, int Hkv, int Tq, int Tk, int d, int dv, float scale, int causal,
                                             float* dK, float* dV) {
    float* Ks = smem;                       // [BK][D + 1]
    float* Vs = Ks + BK * (D + 1);          // [BK][D + 1]
    float* Qs = Vs + BK * (D + 1);          // [BQ_BWD][D + 1], scaled
    float* dOs = Qs + BQ_BWD * (D + 1);     // [BQ_BWD][D + 1]
    float* Ps = dOs + BQ_BWD * (D + 1);     // [BQ_BWD][BK + 1]: P, then dS
    float* Ms = Ps + BQ_BWD * (BK + 1);     // [BQ_BWD]: row max m
    float* Linv = Ms + BQ_BWD;              // [BQ_BWD]: 1 / l
    float* Ds = Linv + BQ_BWD;              // [BQ_BWD]
    const int C = D / 16;
    int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
    int k0 = blockIdx.x * BK, hk = blockIdx.y, b = blockIdx.z, group = H / Hkv;
    load_tile<D>(Ks, BK, k, b, hk, k0, Tk, d, 1.0f);
    load_tile<D>(Vs, BK, v, b, hk, k0, Tk, dv, 1.0f);
    float gk[4][C], gv[4][C];
#pragma unroll
    for (int r = 0; r < 4; r++)
#pragma unroll
        for (int c = 0; c < C; c++) gk[r][c] = gv[r][c] = 0.0f;
    // causal: query i sees key k0 only when i >= k0 - (Tk - Tq)
    int firstQuery = causal ? max(0, k0 - (Tk - Tq)) : 0;
    for (int h = hk * group; h < (hk + 1) * group; h++) {
        for (int q0 = (firstQuery / BQ_BWD) * BQ_BWD; q0 < Tq; q0 += BQ_BWD) {
            __syncthreads(); // the previous tile's readers are done
            load_tile<D>(Qs, BQ_BWD, q, b, h, q0, Tq, d, scale);
            for (int e = threadIdx.x; e < BQ_BWD * D; e += blockDim.x) {
                int r = e / D, c = e % D, i = q0 + r;
                dOs[r * (D + 1) + c] = (i < Tq && c < dv) ? dO[(((i64) b * H + h) * Tq + i) * dv + c] : 0.0f;
            }
            for (int r = threadIdx.x; r < BQ_BWD; r += blockDim.x) {
                int i = q0 + r;
                i64 row = ((i64) b * H + h) * Tq + i;
                Ms[r] = i < Tq ? stats[2 * row] : 0.0f;
                Linv[r] = i < Tq ? 1.0f / stats[2 * row + 1] : 0.0f;
                Ds[r] = i < Tq ? Drow[row] : 0.0f;
            }
            __syncthreads();
            // S and dP for the 32 x 64 tile: rows ty * 2 + r, keys tx + 16 c
            float s[2][4], dp[2][4];
#pragma unroll
            for (int r = 0; r < 2; r++)
#pragma unroll
                for (int c = 0; c < 4; c++) s[r][c] = dp[r][c] = 0.0f;
#pragma unroll 4
            for (int p = 0; p < D; p++) {
#pragma unroll
                for (int r = 0; r < 2; r++) {
                    float a = Qs[(ty * 2 + r) * (D + 1) + p], g = dOs[(ty * 2 + r) * (D + 1) + p];
#pragma unroll
                    for (int c = 0; c < 4; c++) {
                        s[r][c] = fmaf(a, Ks[(tx + 16 * c) * (D + 1) + p], s[r][c]);
                        dp[r][c] = fmaf(g, Vs[(tx + 16 * c) * (D + 1) + p], dp[r][c]);
                    }
                }
            }
#pragma unroll
            for (int r = 0; r < 2; r++) {
                int i = q0 + ty * 2 + r;
#pragma unroll
                for (int c = 0; c < 4; c++) {
                    int j = k0 + tx + 16 * c;
                    float sc = i < Tq ? finish_score(s[r][c], bias, b, h, i, j, Tq, Tk, causal) : -INFINITY;
                    float pr = sc == -INFINITY ? 0.0f : expf(sc - Ms[ty * 2 + r]) * Linv[ty * 2 + r];
                    Ps[(ty * 2 + r) * (BK + 1) + tx + 16 * c] = pr;
                    s[r][c] = pr * (dp[r][c] - Ds[ty * 2 + r]); // dS, kept until P has been used
                }
            }
            __syncthreads();
            // dV[key][col] += sum_i P[i][key] dO[i][col]
#pragma unroll 2
            for (int i = 0; i < BQ_BWD; i++) {
                float g[C];
#pragma unroll
                for (int c = 0; c < C; c++) g[c] = dOs[i * (D + 1) + tx + 16 * c];
#pragma unroll
                for (int r = 0; r < 4; r++) {
                    float pr = Ps[i * (BK + 1) + ty * 4 + r];
#pragma unroll
                    for (int c = 0; c < C; c++) gv[r][c] = fmaf(pr, g[c], gv[r][c]);
                }
            }
            __syncthreads();
#pragma unroll
            for (int r = 0; r < 2; r++)
#pragma unroll
                for (int c = 0; c < 4; c++) Ps[(ty * 2 + r) * (BK + 1) + tx + 16 * c] = s[r][c];
            __syncthreads();
            // dK[key][col] += sum_i dS[i][key] (Q scale)[i][col]
#pragma unroll 2
            for (int i = 0; i < BQ_BWD; i++) {
                float a[C];
#pragma unroll
                for (int c = 0; c < C; c++) a[c] = Qs[i * (D + 1) + tx + 16 * c];
#pragma unroll
                for (int r = 0; r < 4; r++) {
                    float ds = Ps[i * (BK + 1) + ty * 4 + r];
#pragma unroll
                    for (int c = 0; c < C; c++) gk[r][c] = fmaf(ds, a[c], gk[r][c]);
                }
            }
        }
    }
#pragma unroll
    for (int r = 0; r < 4; r++) {
        int j = k0 + ty * 4 + r;
        if (j >= Tk) continue;
        i64 row = ((i64) b * Hkv + hk) * Tk + j;
#pragma unroll
        for (int c = 0; c < C; c++) {
            int col = tx + 16 * c;
            if (col < d) dK[row * d + col] = gk[r][c];
            if (col < dv) dV[row * dv + col] = gv[r][c];
        }
    }
}

// dQ [B, H, Tq, d] (F32, contiguous) for one query tile of 64 per block: grid (ceil(Tq/64), H, B).
template <int D>
__device__ void attention_backward_dq_impl(T4 q, T4 k, T4 v, T4 bias, const float* dO, const float* stats, const float* Drow,
                                           int H, int Hkv, int Tq, int Tk, int d, int dv, float scale, int causal, float* dQ) {
    float* Qs = smem;                       // [BQ][D + 1], scaled
    float* dOs = Qs + BQ * (D + 1);         // [BQ][D + 1]
    float* Ks = dOs + BQ * (D + 1);         // [BK][D + 1]
    float* Vs = Ks + BK * (D + 1);          // [BK][D + 1]
    float* Ps = Vs + BK * (D + 1);          // [BQ][BK + 1]: dS
    const int C = D / 16;
    int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
    int q0 = blockIdx.x * BQ, h = blockIdx.y, b = blockIdx.z, hk = h / (H / Hkv);
    load_tile<D>(Qs, BQ, q, b, h, q0, Tq, d, scale);
    for (int e = threadIdx.x; e < BQ * D; e += blockDim.x) {
        int r = e / D, c = e % D, i = q0 + r;
        dOs[r * (D + 1) + c] = (i < Tq && c < dv) ? dO[(((i64) b * H + h) * Tq + i) * dv + c] : 0.0f;
    }
    float mrow[4], linv[4], drow[4], gq[4][C];
#pragma unroll
    for (int r = 0; r < 4; r++) {
        int i = q0 + ty * 4 + r;
        i64 row = ((i64) b * H + h) * Tq + i;
        mrow[r] = i < Tq ? stats[2 * row] : 0.0f;
        linv[r] = i < Tq ? 1.0f / stats[2 * row + 1] : 0.0f;
        drow[r] = i < Tq ? Drow[row] : 0.0f;
#pragma unroll
        for (int c = 0; c < C; c++) gq[r][c] = 0.0f;
    }
    int lastQuery = min(Tq, q0 + BQ) - 1;
    int keyEnd = causal ? min(Tk, lastQuery + (Tk - Tq) + 1) : Tk;
    for (int k0 = 0; k0 < keyEnd; k0 += BK) {
        __syncthreads();
        load_tile<D>(Ks, BK, k, b, hk, k0, Tk, d, 1.0f);
        load_tile<D>(Vs, BK, v, b, hk, k0, Tk, dv, 1.0f);
        __syncthreads();
        float s[4][4], dp[4][4];
#pragma unroll
        for (int r = 0; r < 4; r++)
#pragma unroll
            for (int c = 0; c < 4; c++) s[r][c] = dp[r][c] = 0.0f;
#pragma unroll 4
        for (int p = 0; p < D; p++) {
            float kk[4], vv[4];
#pragma unroll
            for (int c = 0; c < 4; c++) {
                kk[c] = Ks[(tx + 16 * c) * (D + 1) + p];
                vv[c] = Vs[(tx + 16 * c) * (D + 1) + p];
            }
#pragma unroll
            for (int r = 0; r < 4; r++) {
                float a = Qs[(ty * 4 + r) * (D + 1) + p], g = dOs[(ty * 4 + r) * (D + 1) + p];
#pragma unroll
                for (int c = 0; c < 4; c++) {
                    s[r][c] = fmaf(a, kk[c], s[r][c]);
                    dp[r][c] = fmaf(g, vv[c], dp[r][c]);
                }
            }
        }
#pragma unroll
        for (int r = 0; r < 4; r++) {
            int i = q0 + ty * 4 + r;
#pragma unroll
            for (int c = 0; c < 4; c++) {
                int j = k0 + tx + 16 * c;
                float sc = i < Tq ? finish_score(s[r][c], bias, b, h, i, j, Tq, Tk, causal) : -INFINITY;
                float pr = sc == -INFINITY ? 0.0f : expf(sc - mrow[r]) * linv[r];
                Ps[(ty * 4 + r) * (BK + 1) + tx + 16 * c] = pr * (dp[r][c] - drow[r]);
            }
        }
        __syncthreads();
        // dQ[row][col] += sum_j dS[row][j] K[j][col]
#pragma unroll 2
        for (int j = 0; j < BK; j++) {
            float kk[C];
#pragma unroll
            for (int c = 0; c < C; c++) kk[c] = Ks[j * (D + 1) + tx + 16 * c];
#pragma unroll
            for (int r = 0; r < 4; r++) {
                float ds = Ps[(ty * 4 + r) * (BK + 1) + j];
#pragma unroll
                for (int c = 0; c < C; c++) gq[r][c] = fmaf(ds, kk[c], gq[r][c]);
            }
        }
    }
#pragma unroll
    for (int r = 0; r < 4; r++) {
        int i = q0 + ty * 4 + r;
        if (i >= Tq) continue;
        i64 row = ((i64) b * H + h) * Tq + i;
#pragma unroll
        for (int c = 0; c < C; c++) {
            int col = tx + 16 * c;
            if (col < d) dQ[row * d + col] = gq[r][c] * scale;
        }
    }
}

#define BACKWARD(D)                                                                                                     \
    extern "C" __global__ void __launch_bounds__(256) attention_backward_dkdv_##D(T4 q, T4 k, T4 v, T4 bias,            \
            const float* dO, const float* stats, const float* Drow, int H, int Hkv, int Tq, int Tk, int d, int dv,        \
            float scale, int causal, float* dK, float* dV) {                                                              \
        attention_backward_dkdv_impl<D>(q, k, v, bias, dO, stats, Drow, H, Hkv, Tq, Tk, d, dv, scale, causal, dK, dV);      \
    }                                                                                                                   \
    extern "C" __global__ void __launch_bounds__(256) attention_backward_dq_##D(T4 q, T4 k, T4 v, T4 bias,              \
            const float* dO, const float* stats, const float* Drow, int H, int Hkv, int Tq, int Tk, int d, int dv,        \
            float scale, int causal, float* dQ) {                                                                         \
        attention_backward_dq_impl<D>(q, k, v, bias, dO, stats, Drow, H, Hkv, Tq, Tk, d, dv, scale, causal, dQ);            \
    }
BACKWARD(16)
BACKWARD(32)
BACKWARD(64)
BACKWARD(128)
