// What every crs4j kernel shares: the element types (numbered as org.crs4j.tensor.DType's constants), loading and
// storing any of them converted exactly as the CPU backend converts (CpuStorage.getFloat/setDouble, Half), and the
// strided Layout through which kernels read arbitrary views (broadcast, permuted, sliced) without copies.
//
// Every kernel is extern "C" (unmangled names, looked up by CudaModule) and reads its operands through byte pointers
// already advanced to the view's first element, plus a dtype code where the kernel accepts several.
#pragma once
#include <cuda_fp16.h>
#include <stdint.h>

typedef long long i64;

// The order of org.crs4j.tensor.DType (checked by KernelSourcesTest). Q8_0 never reaches a kernel.
enum DTypeCode { DT_F32 = 0, DT_F64 = 1, DT_BF16 = 2, DT_F16 = 3, DT_I32 = 4, DT_I64 = 5, DT_BOOL = 6 };

#define MAX_DIMS 8
#define MAX_OPERANDS 4

// A shape walked in row-major order and, for each operand, its strides (in elements) over that shape. The host
// (org.crs4j.tensor.cuda.Layout) merges dims that are contiguous for every operand first, so most views arrive as one
// or two dims. Passed by value as a kernel parameter (164 bytes).
struct Layout {
    int rank;
    int shape[MAX_DIMS];
    int stride[MAX_OPERANDS][MAX_DIMS];
};

// Element offsets of the element at row-major position i, for the first n operands.
template <int N>
__device__ __forceinline__ void layout_offsets(const Layout& L, i64 i, i64 (&off)[N]) {
#pragma unroll
    for (int k = 0; k < N; k++) off[k] = 0;
    for (int d = L.rank - 1; d >= 0; d--) {
        int size = L.shape[d];
        i64 c = i % size;
        i /= size;
#pragma unroll
        for (int k = 0; k < N; k++) off[k] += c * L.stride[k][d];
    }
}

// ---------------------------------------------------------------------------------------------- 16-bit floats

__device__ __forceinline__ float bf16_to_float(unsigned short b) {
    return __uint_as_float(((unsigned) b) << 16);
}

// Round to nearest, ties to even; NaN stays a quiet NaN: the rule of Half.floatToBf16.
__device__ __forceinline__ unsigned short float_to_bf16(float v) {
    unsigned bits = __float_as_uint(v);
    if ((bits & 0x7FFFFFFFu) > 0x7F800000u) return (unsigned short) ((bits >> 16) | 0x0040u);
    unsigned bias = 0x7FFFu + ((bits >> 16) & 1u);
    return (unsigned short) ((bits + bias) >> 16);
}

__device__ __forceinline__ float f16_to_float(unsigned short b) {
    return __half2float(__ushort_as_half(b));
}

__device__ __forceinline__ unsigned short float_to_f16(float v) {
    return __half_as_ushort(__float2half_rn(v));
}

// ---------------------------------------------------------------------------------------------- loads

// As F32: CpuStorage.getFloat (integers rounded to nearest, BOOL as 0/1).
__device__ __forceinline__ float load_f32(const void* p, int dt, i64 i) {
    switch (dt) {
        case DT_F32: return ((const float*) p)[i];
        case DT_F64: return (float) ((const double*) p)[i];
        case DT_BF16: return bf16_to_float(((const unsigned short*) p)[i]);
        case DT_F16: return f16_to_float(((const unsigned short*) p)[i]);
        case DT_I32: return (float) ((const int*) p)[i];
        case DT_I64: return (float) ((const i64*) p)[i];
        default: return ((const unsigned char*) p)[i] != 0 ? 1.0f : 0.0f;
    }
}

// As F64: CpuStorage.getDouble (F64 and I64 exactly, the rest through getFloat).
__device__ __forceinline__ double load_f64(const void* p, int dt, i64 i) {
    switch (dt) {
        case DT_F64: return ((const double*) p)[i];
        case DT_I64: return (double) ((const i64*) p)[i];
        default: return (double) load_f32(p, dt, i);
    }
}

// As I64: CpuStorage.getLong (floats truncated toward zero; the conversion saturates and maps NaN to 0, as Java's).
__device__ __forceinline__ i64 load_i64(const void* p, int dt, i64 i) {
    switch (dt) {
        case DT_I32: return ((const int*) p)[i];
        case DT_I64: return ((const i64*) p)[i];
        case DT_BOOL: return ((const unsigned char*) p)[i];
        case DT_F64: return (i64) ((const double*) p)[i];
        default: return (i64) load_f32(p, dt, i);
    }
}

// ---------------------------------------------------------------------------------------------- stores

// CpuStorage.setDouble: F64 and the integers directly (truncating, saturating), the rest through (float) v.
__device__ __forceinline__ void store_f64(void* p, int dt, i64 i, double v) {
    switch (dt) {
        case DT_F64: ((double*) p)[i] = v; break;
        case DT_I64: ((i64*) p)[i] = (i64) v; break;
        case DT_I32: ((int*) p)[i] = (int) v; break;
        case DT_F32: ((float*) p)[i] = (float) v; break;
        case DT_BF16: ((unsigned short*) p)[i] = float_to_bf16((float) v); break;
        case DT_F16: ((unsigned short*) p)[i] = float_to_f16((float) v); break;
        default: ((unsigned char*) p)[i] = (float) v != 0.0f ? 1 : 0; break;
    }
}

// CpuStorage.setLong.
__device__ __forceinline__ void store_i64(void* p, int dt, i64 i, i64 v) {
    switch (dt) {
        case DT_I32: ((int*) p)[i] = (int) v; break;
        case DT_I64: ((i64*) p)[i] = v; break;
        case DT_BOOL: ((unsigned char*) p)[i] = v != 0 ? 1 : 0; break;
        case DT_F64: ((double*) p)[i] = (double) v; break;
        case DT_F32: ((float*) p)[i] = (float) v; break;
        case DT_BF16: ((unsigned short*) p)[i] = float_to_bf16((float) v); break;
        default: ((unsigned short*) p)[i] = float_to_f16((float) v); break;
    }
}

__device__ __forceinline__ int dtype_size(int dt) {
    return dt == DT_F64 || dt == DT_I64 ? 8 : (dt == DT_F32 || dt == DT_I32 ? 4 : (dt == DT_BOOL ? 1 : 2));
}

__device__ __forceinline__ bool is_integral(int dt) {
    return dt == DT_I32 || dt == DT_I64 || dt == DT_BOOL;
}

// ---------------------------------------------------------------------------------------------- launch helpers

// A grid-stride loop over n elements (n < 2^31 since tensors are int-indexed; i64 keeps the products safe).
#define FOR_EACH(i, n) for (i64 i = (i64) blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (i64) gridDim.x * blockDim.x)

// Java's Math.max/min on floats: NaN if either is NaN (fmaxf would drop it).
__device__ __forceinline__ float jmaxf(float a, float b) { return (a != a || b != b) ? __int_as_float(0x7fc00000) : fmaxf(a, b); }
__device__ __forceinline__ float jminf(float a, float b) { return (a != a || b != b) ? __int_as_float(0x7fc00000) : fminf(a, b); }
__device__ __forceinline__ double jmax(double a, double b) { return (a != a || b != b) ? __longlong_as_double(0x7ff8000000000000LL) : fmax(a, b); }
__device__ __forceinline__ double jmin(double a, double b) { return (a != a || b != b) ? __longlong_as_double(0x7ff8000000000000LL) : fmin(a, b); }

// Block-wide sums and maxima in a fixed order (a tree over the threads' partials), so results do not depend on timing.
// blockDim.x must be a power of two <= 1024; scratch holds blockDim.x values.
template <typename T, typename Op>
__device__ __forceinline__ T block_reduce(T v, T* scratch, Op op) {
    scratch[threadIdx.x] = v;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) scratch[threadIdx.x] = op(scratch[threadIdx.x], scratch[threadIdx.x + s]);
        __syncthreads();
    }
    T r = scratch[0];
    __syncthreads();
    return r;
}

struct SumOp { template <typename T> __device__ __forceinline__ T operator()(T a, T b) const { return a + b; } };
struct MaxOpF { __device__ __forceinline__ float operator()(float a, float b) const { return jmaxf(a, b); } };
struct MaxOpD { __device__ __forceinline__ double operator()(double a, double b) const { return jmax(a, b); } };
