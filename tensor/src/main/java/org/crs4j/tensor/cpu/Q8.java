package org.crs4j.tensor.cpu;

import static org.crs4j.tensor.cpu.FloatRuns.F;
import static org.crs4j.tensor.cpu.FloatRuns.LE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.crs4j.tensor.DType;

/**
 * Q8_0 block quantization (llama.cpp's scheme): the elements of a storage, in storage order, are cut into blocks of 32;
 * a block is stored as 32 signed bytes q and one F32 scale d = max|w| / 127, and element w is read back as q·d with
 * q = round(w / d), so |w - q·d| ≤ d/2 = max|w| / 254 within each block. The last block of a storage may be shorter.
 *
 * <p>Blocks follow the flat storage, not the rows of a matrix: a matrix whose row length is not a multiple of 32
 * (stories260K's 172-wide down projection) has blocks that straddle two rows, which every reader handles.
 */
final class Q8 {
    private Q8() {}

    static final int BLOCK = DType.Q8_BLOCK;
    /** Bytes per vector of quants: as many as F has float lanes (16 bytes on AVX-512, 8 on AVX2). */
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(F.vectorBitSize() / 4));
    /** Vectors per block. */
    static final int VPB = BLOCK / F.length();
    private static final ValueLayout.OfByte I8 = ValueLayout.JAVA_BYTE;
    /** Blocks quantized per task when quantizing in parallel (64 Ki elements, an L2-sized read). */
    private static final int BLOCKS_PER_TASK = 2048;

    /** Number of blocks (scales) for {@code elements} elements. */
    static int blocks(long elements) {
        return Math.toIntExact((elements + BLOCK - 1) / BLOCK);
    }

    /**
     * Quantizes elements [start, start + n) of a float storage (F32, BF16, F16, heap or mapped; Q8_0 itself is copied
     * exactly when block-aligned) into the Q8_0 storage {@code dst} of n elements. Blocks are independent, so they are quantized
     * in parallel, each from a run read straight from the source: no F32 copy of the whole tensor is made.
     *
     * @throws IllegalArgumentException naming the element, for a NaN or infinite value (int8 cannot hold it)
     */
    static void quantize(CpuStorage src, long start, CpuStorage dst) {
        int n = Math.toIntExact(dst.length());
        MemorySegment q = dst.segment();
        float[] scales = dst.scales();
        if (src.dtype() == DType.Q8_0 && start % BLOCK == 0) {
            MemorySegment.copy(src.segment(), start, q, 0, n);
            System.arraycopy(src.scales(), (int) (start / BLOCK), scales, 0, scales.length);
            return;
        }
        int tasks = (scales.length + BLOCKS_PER_TASK - 1) / BLOCKS_PER_TASK;
        Parallel.forRange(tasks, 1, (t0, t1) -> {
            float[] run = new float[BLOCKS_PER_TASK * BLOCK];
            byte[] bytes = new byte[BLOCKS_PER_TASK * BLOCK];
            for (int t = t0; t < t1; t++) {
                int e0 = t * BLOCKS_PER_TASK * BLOCK, len = Math.min(BLOCKS_PER_TASK * BLOCK, n - e0);
                FloatRuns.read(src, start + e0, run, 0, len);
                for (int b = 0; b * BLOCK < len; b++) {
                    scales[t * BLOCKS_PER_TASK + b] = quantizeBlock(run, b * BLOCK, Math.min(BLOCK, len - b * BLOCK), bytes, start + e0);
                }
                MemorySegment.copy(bytes, 0, q, I8, e0, len);
            }
        });
    }

    /**
     * Quantizes v[o .. o+len) into q[o ..] and returns the block's scale; {@code base} names elements in errors. Quants
     * are w·(127 / max|w|) rounded half away from zero (clamped to ±127 against rounding): the same in the vector body
     * and the scalar tail.
     */
    private static float quantizeBlock(float[] v, int o, int len, byte[] q, long base) {
        float amax = 0;
        int j = 0;
        if (len == BLOCK) {
            FloatVector m = FloatVector.zero(F);
            for (int u = 0; u < VPB; u++) m = m.max(FloatVector.fromArray(F, v, o + u * F.length()).abs());
            amax = m.reduceLanes(VectorOperators.MAX);
        } else {
            for (; j < len; j++) amax = Math.max(amax, Math.abs(v[o + j]));
        }
        if (!(amax <= Float.MAX_VALUE)) {
            for (j = 0; j < len; j++) {
                if (!Float.isFinite(v[o + j])) {
                    throw new IllegalArgumentException("cannot quantize to Q8_0: element " + (base + o + j) + " is " + v[o + j]);
                }
            }
        }
        float d = amax / 127f;
        float inv = amax == 0 ? 0 : 127f / amax;
        if (len == BLOCK) {
            for (int u = 0; u < VPB; u++) {
                FloatVector t = FloatVector.fromArray(F, v, o + u * F.length()).mul(inv).max(-127f).min(127f);
                t = t.add(HALF.blend(-0.5f, t.compare(VectorOperators.LT, 0f)));
                t.convertShape(VectorOperators.F2B, B, 0).reinterpretAsBytes().intoArray(q, o + u * F.length());
            }
        } else {
            for (j = 0; j < len; j++) {
                float t = Math.clamp(v[o + j] * inv, -127f, 127f);
                q[o + j] = (byte) (int) (t + Math.copySign(0.5f, t));
            }
        }
        return d;
    }

    private static final FloatVector HALF = FloatVector.broadcast(F, 0.5f);

    /** dst[dstOff .. dstOff+len) = elements [start, start+len) of Q8_0 storage s, dequantized (q·d, one rounding). */
    static void read(CpuStorage s, long start, float[] dst, int dstOff, int len) {
        MemorySegment q = s.segment();
        float[] scales = s.scales();
        int i = 0;
        for (; i < len && (start + i) % BLOCK != 0; i++) dst[dstOff + i] = q.get(I8, start + i) * scales[(int) ((start + i) / BLOCK)];
        for (; i + BLOCK <= len; i += BLOCK) {
            long e = start + i;
            FloatVector d = FloatVector.broadcast(F, scales[(int) (e / BLOCK)]);
            for (int v = 0; v < VPB; v++) {
                ((FloatVector) ByteVector.fromMemorySegment(B, q, e + (long) v * F.length(), LE)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(d).intoArray(dst, dstOff + i + v * F.length());
            }
        }
        for (; i < len; i++) dst[dstOff + i] = q.get(I8, start + i) * scales[(int) ((start + i) / BLOCK)];
    }

    /** A Q8_0 storage of n elements over new native memory, for tests that build quants by hand. */
    static CpuStorage of(byte[] quants, float[] scales) {
        MemorySegment q = Arena.ofAuto().allocate(Math.max(quants.length, 1), 64).asSlice(0, quants.length);
        MemorySegment.copy(quants, 0, q, I8, 0, quants.length);
        return CpuStorage.q8(q, scales);
    }
}
