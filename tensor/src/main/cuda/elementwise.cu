// Element-wise kernels: strided copy with conversion, arange, unary and binary ops, where. Every operand is read
// through a Layout (so broadcasting and views never copy); the output is operand 0.
//
// The op codes are the ordinals of org.crs4j.tensor.UnaryOp and BinaryOp (checked by KernelSourcesTest against the
// enums' names listed here). Each op follows the double-precision definition on the Java enum; the F32 forms use
// CUDA's correctly rounded or 1-2 ulp functions (expf, tanhf, erff, ...), so results agree with the CPU's to float
// tolerance, not bit for bit.
#include "crs4j.cuh"

enum UnaryCode {
    U_NEG, U_ABS, U_SIGN, U_EXP, U_LOG, U_SQRT, U_RSQRT, U_RECIPROCAL, U_SQUARE, U_TANH, U_SIGMOID, U_RELU, U_GELU,
    U_GELU_TANH, U_SILU, U_SIN, U_COS, U_ERF
};

enum BinaryCode {
    B_ADD, B_SUB, B_MUL, B_DIV, B_MAX, B_MIN, B_POW, B_RELU_BACKWARD, B_SIGMOID_BACKWARD, B_TANH_BACKWARD,
    B_SILU_BACKWARD, B_GELU_BACKWARD, B_GELU_TANH_BACKWARD, B_EQ, B_NE, B_LT, B_LE, B_GT, B_GE, B_AND, B_OR
};

// ---------------------------------------------------------------------------------------------- copy

// dst[i] = convert(src[i]) over a Layout (operand 0: dst, 1: src), the conversions of CopyKernel.copyRow: integer to
// integer exactly, float to integer truncating (to BOOL: non-zero), everything else through double.
extern "C" __global__ void copy_strided(i64 n, Layout L, void* dst, int dstType, const void* src, int srcType) {
    FOR_EACH(i, n) {
        i64 off[2];
        layout_offsets<2>(L, i, off);
        if (is_integral(dstType)) {
            if (dstType == DT_BOOL && !is_integral(srcType)) store_i64(dst, dstType, off[0], load_f64(src, srcType, off[1]) != 0.0);
            else store_i64(dst, dstType, off[0], load_i64(src, srcType, off[1]));
        } else if (dstType == DT_F32 && srcType != DT_F64) {
            ((float*) dst)[off[0]] = load_f32(src, srcType, off[1]); // one rounding, as getFloat
        } else if (srcType == DT_I64 && dstType != DT_F64) {
            store_f64(dst, dstType, off[0], (double) (float) ((const i64*) src)[off[1]]);
        } else {
            store_f64(dst, dstType, off[0], load_f64(src, srcType, off[1]));
        }
    }
}

// Contiguous same-type copies are cuMemcpyDtoDAsync on the host; this one is for contiguous conversions (to(dtype)).
extern "C" __global__ void convert_contiguous(i64 n, void* dst, int dstType, const void* src, int srcType) {
    FOR_EACH(i, n) {
        if (dstType == DT_F32) ((float*) dst)[i] = load_f32(src, srcType, i);
        else if (is_integral(dstType) && is_integral(srcType)) store_i64(dst, dstType, i, load_i64(src, srcType, i));
        else if (dstType == DT_BOOL) store_i64(dst, dstType, i, load_f64(src, srcType, i) != 0.0);
        else if (is_integral(dstType)) store_i64(dst, dstType, i, load_i64(src, srcType, i));
        else store_f64(dst, dstType, i, load_f64(src, srcType, i));
    }
}

// start + i * step, converted to the output dtype as CpuStorage.setDouble does.
extern "C" __global__ void arange(i64 n, double start, double step, void* dst, int dstType) {
    FOR_EACH(i, n) store_f64(dst, dstType, i, start + (double) i * step);
}

// ---------------------------------------------------------------------------------------------- unary

__device__ __forceinline__ float sigmoidf_(float x) {
    return x >= 0.0f ? 1.0f / (1.0f + expf(-x)) : expf(x) / (1.0f + expf(x));
}

__device__ __forceinline__ double sigmoid_(double x) {
    return x >= 0.0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x));
}

__device__ float unary_f32(int op, float x) {
    switch (op) {
        case U_NEG: return -x;
        case U_ABS: return fabsf(x);
        case U_SIGN: return x != x ? x : (x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : x));
        case U_EXP: return expf(x);
        case U_LOG: return logf(x);
        case U_SQRT: return sqrtf(x);
        case U_RSQRT: return 1.0f / sqrtf(x);
        case U_RECIPROCAL: return 1.0f / x;
        case U_SQUARE: return x * x;
        case U_TANH: return tanhf(x);
        case U_SIGMOID: return sigmoidf_(x);
        case U_RELU: return x != x ? x : fmaxf(x, 0.0f);
        case U_GELU: return 0.5f * x * (1.0f + erff(x * 0.70710678118654752f));
        case U_GELU_TANH: return 0.5f * x * (1.0f + tanhf(0.79788456080286536f * (x + 0.044715f * x * x * x)));
        case U_SILU: return x * sigmoidf_(x);
        case U_SIN: return sinf(x);
        case U_COS: return cosf(x);
        default: return erff(x);
    }
}

__device__ double unary_f64(int op, double x) {
    switch (op) {
        case U_NEG: return -x;
        case U_ABS: return fabs(x);
        case U_SIGN: return x != x ? x : (x > 0.0 ? 1.0 : (x < 0.0 ? -1.0 : x));
        case U_EXP: return exp(x);
        case U_LOG: return log(x);
        case U_SQRT: return sqrt(x);
        case U_RSQRT: return 1.0 / sqrt(x);
        case U_RECIPROCAL: return 1.0 / x;
        case U_SQUARE: return x * x;
        case U_TANH: return tanh(x);
        case U_SIGMOID: return sigmoid_(x);
        case U_RELU: return x > 0.0 ? x : 0.0;
        case U_GELU: return 0.5 * x * (1.0 + erf(x / sqrt(2.0)));
        case U_GELU_TANH: return 0.5 * x * (1.0 + tanh(sqrt(2.0 / 3.14159265358979323846) * (x + 0.044715 * x * x * x)));
        case U_SILU: return x * sigmoid_(x);
        case U_SIN: return sin(x);
        case U_COS: return cos(x);
        default: return erf(x);
    }
}

// Integer unary ops (those that keep integers: neg, abs, sign, square, relu), in I64 like Elementwise.longUnary.
__device__ i64 unary_i64(int op, i64 v) {
    switch (op) {
        case U_NEG: return -v;
        case U_ABS: return v < 0 ? -v : v;
        case U_SIGN: return v > 0 ? 1 : (v < 0 ? -1 : 0);
        case U_SQUARE: return v * v;
        default: return v > 0 ? v : 0;
    }
}

// out (contiguous, of the compute dtype: F32, F64 or I64) = op(x); domain 0 = F32, 1 = F64, 2 = I64.
extern "C" __global__ void unary(i64 n, int op, int domain, Layout L, void* out, const void* x, int xType) {
    FOR_EACH(i, n) {
        i64 off[2];
        layout_offsets<2>(L, i, off);
        if (domain == 0) ((float*) out)[off[0]] = unary_f32(op, load_f32(x, xType, off[1]));
        else if (domain == 1) ((double*) out)[off[0]] = unary_f64(op, load_f64(x, xType, off[1]));
        else ((i64*) out)[off[0]] = unary_i64(op, load_i64(x, xType, off[1]));
    }
}

// ---------------------------------------------------------------------------------------------- binary

__device__ float binary_f32(int op, float a, float b) {
    switch (op) {
        case B_ADD: return a + b;
        case B_SUB: return a - b;
        case B_MUL: return a * b;
        case B_DIV: return a / b;
        case B_MAX: return jmaxf(a, b);
        case B_MIN: return jminf(a, b);
        case B_POW: return powf(a, b);
        case B_RELU_BACKWARD: return b > 0.0f ? a : 0.0f;
        case B_SIGMOID_BACKWARD: return a * b * (1.0f - b);
        case B_TANH_BACKWARD: return a * (1.0f - b * b);
        case B_SILU_BACKWARD: {
            float s = sigmoidf_(b);
            return a * s * (1.0f + b * (1.0f - s));
        }
        case B_GELU_BACKWARD: {
            float cdf = 0.5f * (1.0f + erff(b * 0.70710678118654752f));
            float pdf = expf(-0.5f * b * b) * 0.39894228040143268f;
            return a * (cdf + b * pdf);
        }
        default: { // B_GELU_TANH_BACKWARD
            const float c = 0.79788456080286536f;
            float t = tanhf(c * (b + 0.044715f * b * b * b));
            return a * (0.5f * (1.0f + t) + 0.5f * b * (1.0f - t * t) * c * (1.0f + 3.0f * 0.044715f * b * b));
        }
    }
}

__device__ double binary_f64(int op, double a, double b) {
    switch (op) {
        case B_ADD: return a + b;
        case B_SUB: return a - b;
        case B_MUL: return a * b;
        case B_DIV: return a / b;
        case B_MAX: return jmax(a, b);
        case B_MIN: return jmin(a, b);
        case B_POW: return pow(a, b);
        case B_RELU_BACKWARD: return b > 0.0 ? a : 0.0;
        case B_SIGMOID_BACKWARD: return a * b * (1.0 - b);
        case B_TANH_BACKWARD: return a * (1.0 - b * b);
        case B_SILU_BACKWARD: {
            double s = sigmoid_(b);
            return a * s * (1.0 + b * (1.0 - s));
        }
        case B_GELU_BACKWARD: {
            double cdf = 0.5 * (1.0 + erf(b / sqrt(2.0))), pdf = exp(-0.5 * b * b) / sqrt(2.0 * 3.14159265358979323846);
            return a * (cdf + b * pdf);
        }
        default: {
            double c = sqrt(2.0 / 3.14159265358979323846), t = tanh(c * (b + 0.044715 * b * b * b));
            return a * (0.5 * (1.0 + t) + 0.5 * b * (1.0 - t * t) * c * (1.0 + 3.0 * 0.044715 * b * b));
        }
    }
}

__device__ i64 binary_i64(int op, i64 a, i64 b) {
    switch (op) {
        case B_ADD: return a + b;
        case B_SUB: return a - b;
        case B_MUL: return a * b;
        case B_MAX: return a > b ? a : b;
        case B_MIN: return a < b ? a : b;
        default: return (i64) pow((double) a, (double) b); // B_POW, as Elementwise.longOp
    }
}

template <typename T>
__device__ __forceinline__ bool predicate(int op, T a, T b) {
    switch (op) {
        case B_EQ: return a == b;
        case B_NE: return a != b;
        case B_LT: return a < b;
        case B_LE: return a <= b;
        case B_GT: return a > b;
        case B_GE: return a >= b;
        case B_AND: return a != 0 && b != 0;
        default: return a != 0 || b != 0;
    }
}

// out = a op b over a Layout (0: out, 1: a, 2: b). domain 0/1/2 = F32/F64/I64 as for unary; predicates write BOOL.
extern "C" __global__ void binary(i64 n, int op, int domain, int isPredicate, Layout L, void* out,
                                  const void* a, int aType, const void* b, int bType) {
    FOR_EACH(i, n) {
        i64 off[3];
        layout_offsets<3>(L, i, off);
        if (isPredicate) {
            bool r;
            if (domain == 0) r = predicate<float>(op, load_f32(a, aType, off[1]), load_f32(b, bType, off[2]));
            else if (domain == 1) r = predicate<double>(op, load_f64(a, aType, off[1]), load_f64(b, bType, off[2]));
            else r = predicate<i64>(op, load_i64(a, aType, off[1]), load_i64(b, bType, off[2]));
            ((unsigned char*) out)[off[0]] = r ? 1 : 0;
        } else if (domain == 0) {
            ((float*) out)[off[0]] = binary_f32(op, load_f32(a, aType, off[1]), load_f32(b, bType, off[2]));
        } else if (domain == 1) {
            ((double*) out)[off[0]] = binary_f64(op, load_f64(a, aType, off[1]), load_f64(b, bType, off[2]));
        } else {
            ((i64*) out)[off[0]] = binary_i64(op, load_i64(a, aType, off[1]), load_i64(b, bType, off[2]));
        }
    }
}

// out = cond ? a : b (0: out, 1: cond, 2: a, 3: b), out of dtype outType (BOOL when both are BOOL).
extern "C" __global__ void where_select(i64 n, Layout L, void* out, int outType, const void* cond, int condType,
                                        const void* a, int aType, const void* b, int bType) {
    FOR_EACH(i, n) {
        i64 off[4];
        layout_offsets<4>(L, i, off);
        bool c = load_i64(cond, condType, off[1]) != 0 || (!is_integral(condType) && load_f64(cond, condType, off[1]) != 0.0);
        const void* src = c ? a : b;
        int st = c ? aType : bType;
        i64 so = c ? off[2] : off[3];
        if (is_integral(outType)) store_i64(out, outType, off[0], load_i64(src, st, so));
        else if (outType == DT_F32) ((float*) out)[off[0]] = load_f32(src, st, so);
        else store_f64(out, outType, off[0], load_f64(src, st, so));
    }
}
