package org.crs4j.tensor;

/**
 * A seeded, counter-based random stream (Philox4x32-10, as in cuRAND and PyTorch's CUDA generator).
 *
 * <p>Element {@code i} of a tensor drawn at stream position {@code p} is a pure function of (seed, p + i): the
 * numbers do not depend on how many threads fill the tensor, nor on the backend. Each draw advances the position by
 * the number of elements drawn, so successive draws never reuse counters.
 */
public final class Generator {
    public enum Distribution { UNIFORM, NORMAL }

    private long seed;
    private long position;

    public Generator(long seed) {
        this.seed = seed;
    }

    public synchronized long seed() {
        return seed;
    }

    /** The stream position: the counter the next draw starts at. Saved in checkpoints to resume exactly. */
    public synchronized long position() {
        return position;
    }

    public synchronized void setPosition(long position) {
        if (position < 0) throw new IllegalArgumentException("negative generator position " + position);
        this.position = position;
    }

    /**
     * Restores a saved state (a checkpoint's): the stream continues exactly where the saved one stood, whatever
     * seed this generator was created with.
     */
    public synchronized void setState(long seed, long position) {
        if (position < 0) throw new IllegalArgumentException("negative generator position " + position);
        this.seed = seed;
        this.position = position;
    }

    /** Reserves {@code n} counters and returns the first. */
    public synchronized long advance(long n) {
        long start = position;
        position += n;
        return start;
    }

    // ---- Philox4x32-10 ----
    private static final int M0 = 0xD2511F53, M1 = 0xCD9E8D57, W0 = 0x9E3779B9, W1 = 0xBB67AE85;

    /** The four 32-bit words of Philox4x32-10 for a 128-bit counter (hi:lo) and 64-bit key. */
    public static void philox(long counter, long counterHi, long key, int[] out) {
        int c0 = (int) counter, c1 = (int) (counter >>> 32), c2 = (int) counterHi, c3 = (int) (counterHi >>> 32);
        int k0 = (int) key, k1 = (int) (key >>> 32);
        for (int round = 0; round < 10; round++) {
            long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
            long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n1 = (int) p1;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            int n3 = (int) p0;
            c0 = n0; c1 = n1; c2 = n2; c3 = n3;
            k0 += W0;
            k1 += W1;
        }
        out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
    }

    /** Uniform in [0, 1) with 24 random bits (exactly representable in F32). */
    public static float uniform24(int word) {
        return (word >>> 8) * 0x1.0p-24f;
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public static double uniform53(int hi, int lo) {
        long bits = ((hi & 0xFFFFFFFFL) << 21) ^ ((lo & 0xFFFFFFFFL) >>> 11);
        return bits * 0x1.0p-53;
    }

    /** One standard normal from two words by Box-Muller (the uniform for the log is kept away from 0). */
    public static double normal(int w0, int w1, int w2, int w3) {
        double u1 = 1.0 - uniform53(w0, w1); // (0, 1]
        double u2 = uniform53(w2, w3);
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }
}
