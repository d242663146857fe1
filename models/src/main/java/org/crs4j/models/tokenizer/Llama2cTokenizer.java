package org.crs4j.models.tokenizer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.crs4j.io.InputFiles;

import org.crs4j.models.tokenizer.SentencePieceModel.ModelType;
import org.crs4j.models.tokenizer.SentencePieceModel.NormalizerSpec;
import org.crs4j.models.tokenizer.SentencePieceModel.Piece;
import org.crs4j.models.tokenizer.SentencePieceModel.PieceType;
import org.crs4j.models.tokenizer.SentencePieceModel.TrainerSpec;

/**
 * karpathy's llama2.c {@code tokenizer.bin}: uint32 {@code max_token_length}, then per token a float32 score, a uint32
 * byte length and the bytes ('▁' already written as a space, BOS as {@code "\n<s>\n"}, EOS as {@code "\n</s>\n"}).
 * The vocabulary size is not stored: the file is read to its end.
 *
 * <p>Encoding is llama2.c's {@code encode()}: a dummy-prefix space token, one token per UTF-8 character (or its bytes
 * as tokens {@code byte + 3} when the character is not in the vocabulary), then the greedy loop that merges the
 * adjacent pair whose concatenation is the highest-scoring vocabulary entry, leftmost on ties. Pieces are reported in
 * SentencePiece form ('▁', {@code <s>}, {@code </s>}) and decoding is SentencePiece's, as for the {@code .model} the
 * file was exported from.
 */
public final class Llama2cTokenizer implements Tokenizer {
    private static final int UNK = 0, BOS = 1, EOS = 2, BYTE_OFFSET = 3;

    private final Path file;
    private final byte[][] vocab;    // bytes as stored in the file
    private final float[] scores;
    private final BytesIntMap lookup = new BytesIntMap();
    private final int maxTokenLength;
    private final int spaceId;
    private final boolean byteFallback; // ids 3..258 are the bytes <0x00>..<0xFF>
    private final SentencePieceTokenizer spm; // the equivalent SentencePiece model, for pieces and decoding

    private Llama2cTokenizer(Path file, byte[][] vocab, float[] scores, int maxTokenLength) throws TokenizerFormatException {
        this.file = file;
        this.vocab = vocab;
        this.scores = scores;
        this.maxTokenLength = maxTokenLength;
        // bsearch over a sorted copy in llama2.c returns any of equal strings; we keep the lowest id.
        for (int i = 0; i < vocab.length; i++) lookup.putIfAbsent(vocab[i], i);
        this.spaceId = lookup.get(new byte[] {' '});
        this.byteFallback = hasByteTokens(vocab);
        this.spm = new SentencePieceTokenizer(asSentencePiece(file, vocab, scores));
    }

    public static Llama2cTokenizer load(Path file) throws IOException {
        byte[] data = InputFiles.readAll(file, Tokenizers.MAX_FILE_BYTES);
        if (data.length < 4) throw new TokenizerFormatException(file, "not a llama2.c tokenizer.bin: " + data.length
                + " bytes, too short for the max_token_length header");
        ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        long maxLen = in.getInt() & 0xFFFFFFFFL;
        if (maxLen == 0 || maxLen > 1 << 16)
            throw new TokenizerFormatException(file, "not a llama2.c tokenizer.bin: max_token_length " + maxLen
                    + " at byte 0 is not in [1, 65536]");
        List<byte[]> tokens = new ArrayList<>();
        List<Float> sc = new ArrayList<>();
        while (in.hasRemaining()) {
            int at = in.position();
            int id = tokens.size();
            if (in.remaining() < 8)
                throw new TokenizerFormatException(file, "token " + id + " at byte " + at + " is truncated: "
                        + in.remaining() + " bytes left, need 8 for score and length");
            float score = in.getFloat();
            long len = in.getInt() & 0xFFFFFFFFL;
            if (len > maxLen)
                throw new TokenizerFormatException(file, "token " + id + " at byte " + at + " has length " + len
                        + ", more than max_token_length " + maxLen);
            if (len > in.remaining())
                throw new TokenizerFormatException(file, "token " + id + " at byte " + at + " has length " + len
                        + " but only " + in.remaining() + " bytes are left");
            byte[] b = new byte[(int) len];
            in.get(b);
            tokens.add(b);
            sc.add(score);
        }
        if (tokens.size() < 3)
            throw new TokenizerFormatException(file, "llama2.c tokenizer.bin holds " + tokens.size()
                    + " tokens; it needs at least <unk>, <s> and </s>");
        float[] scores = new float[sc.size()];
        for (int i = 0; i < scores.length; i++) scores[i] = sc.get(i);
        return new Llama2cTokenizer(file, tokens.toArray(new byte[0][]), scores, (int) maxLen);
    }

    private static boolean hasByteTokens(byte[][] vocab) {
        if (vocab.length < BYTE_OFFSET + 256) return false;
        for (int b = 0; b < 256; b++) {
            if (SpmVocab.pieceToByte(new String(vocab[BYTE_OFFSET + b], StandardCharsets.UTF_8)) != b) return false;
        }
        return true;
    }

    /** The SentencePiece BPE model that llama2.c's {@code tokenizer.py export} turns into this file. */
    private static SentencePieceModel asSentencePiece(Path file, byte[][] vocab, float[] scores) {
        int byteCount = 0;
        for (int i = BYTE_OFFSET; i < Math.min(vocab.length, BYTE_OFFSET + 256); i++)
            if (SpmVocab.pieceToByte(new String(vocab[i], StandardCharsets.UTF_8)) == i - BYTE_OFFSET) byteCount++;
        boolean byteFallback = byteCount == 256;
        List<Piece> pieces = new ArrayList<>(vocab.length);
        for (int i = 0; i < vocab.length; i++) {
            String text = new String(vocab[i], StandardCharsets.UTF_8);
            PieceType type = PieceType.NORMAL;
            if (i == UNK) type = PieceType.UNKNOWN;
            else if (i == BOS) { type = PieceType.CONTROL; text = "<s>"; }
            else if (i == EOS) { type = PieceType.CONTROL; text = "</s>"; }
            else if (byteFallback && i < BYTE_OFFSET + 256) type = PieceType.BYTE;
            else text = text.replace(' ', '\u2581');
            pieces.add(new Piece(text, text.getBytes(StandardCharsets.UTF_8), scores[i], type));
        }
        TrainerSpec trainer = new TrainerSpec(ModelType.BPE, vocab.length, byteFallback, true, false, true, true, true,
                true, 16, UNK, BOS, EOS, -1, pieces.get(UNK).text(), "<s>", "</s>", "<pad>", " \u2047 ");
        NormalizerSpec normalizer = new NormalizerSpec("identity", new byte[0], true, false, true);
        return SentencePieceModel.of(file, pieces, trainer, normalizer);
    }

    @Override
    public int[] encode(String text) {
        if (text.isEmpty()) return new int[0];
        byte[] s = Utf8.bytes(text);
        IntList tokens = new IntList(s.length + 1);
        if (spaceId >= 0) tokens.add(spaceId); // add_dummy_prefix
        for (int pos = 0; pos < s.length; ) {
            int end = pos + 1;
            while (end < s.length && (s[end] & 0xC0) == 0x80 && end - pos < 4) end++;
            int id = lookup.get(s, pos, end - pos);
            if (id >= 0) tokens.add(id);
            else if (byteFallback) for (int i = pos; i < end; i++) tokens.add((s[i] & 0xFF) + BYTE_OFFSET);
            else tokens.add(UNK); // no byte tokens to fall back on (llama2.c itself would index past its vocabulary)
            pos = end;
        }
        return merge(tokens);
    }

    // Greedy merging with a heap instead of llama2.c's rescans: the same choice (best score, leftmost) each round.
    private int[] merge(IntList tokens) {
        int n = tokens.size();
        int[] tok = tokens.toArray(), next = new int[n], prev = new int[n];
        for (int i = 0; i < n; i++) {
            next[i] = i + 1 < n ? i + 1 : -1;
            prev[i] = i - 1;
        }
        Heap heap = new Heap(n);
        byte[] buf = new byte[2 * maxTokenLength + 8];
        for (int i = 0; i + 1 < n; i++) push(heap, i, i + 1, tok, buf);
        int count = n;
        while (!heap.isEmpty()) {
            int left = heap.left(), right = heap.right(), merged = heap.merged(), leftId = heap.leftId(), rightId = heap.rightId();
            heap.pop();
            if (tok[left] != leftId || next[left] != right || tok[right] != rightId) continue; // stale
            tok[left] = merged;
            tok[right] = -1;
            next[left] = next[right];
            if (next[right] >= 0) prev[next[right]] = left;
            count--;
            if (prev[left] >= 0) push(heap, prev[left], left, tok, buf);
            if (next[left] >= 0) push(heap, left, next[left], tok, buf);
        }
        int[] out = new int[count];
        int k = 0;
        for (int i = 0; i != -1; i = next[i]) out[k++] = tok[i];
        return out;
    }

    private void push(Heap heap, int left, int right, int[] tok, byte[] buf) {
        byte[] a = vocab[tok[left]], b = vocab[tok[right]];
        if (a.length + b.length > buf.length) return; // longer than any token: cannot be in the vocabulary
        System.arraycopy(a, 0, buf, 0, a.length);
        System.arraycopy(b, 0, buf, a.length, b.length);
        int id = lookup.get(buf, 0, a.length + b.length);
        if (id >= 0 && scores[id] > -1e10) heap.push(scores[id], left, right, id, tok[left], tok[right]);
    }

    /** Max-heap on (score, then smaller left position). */
    private static final class Heap {
        private float[] score;
        private int[][] f; // left, right, merged, leftId, rightId
        private int n;

        Heap(int capacity) {
            int c = Math.max(16, capacity * 2);
            score = new float[c];
            f = new int[5][c];
        }

        boolean isEmpty() { return n == 0; }
        int left() { return f[0][0]; }
        int right() { return f[1][0]; }
        int merged() { return f[2][0]; }
        int leftId() { return f[3][0]; }
        int rightId() { return f[4][0]; }

        void push(float sc, int l, int r, int m, int li, int ri) {
            if (n == score.length) {
                score = java.util.Arrays.copyOf(score, n * 2);
                for (int j = 0; j < 5; j++) f[j] = java.util.Arrays.copyOf(f[j], n * 2);
            }
            int i = n++;
            while (i > 0) {
                int p = (i - 1) >>> 1;
                if (!(sc > score[p] || sc == score[p] && l < f[0][p])) break;
                copy(p, i);
                i = p;
            }
            score[i] = sc;
            f[0][i] = l; f[1][i] = r; f[2][i] = m; f[3][i] = li; f[4][i] = ri;
        }

        void pop() {
            n--;
            if (n == 0) return;
            float sc = score[n];
            int l = f[0][n], r = f[1][n], m = f[2][n], li = f[3][n], ri = f[4][n];
            int i = 0;
            while (true) {
                int c = 2 * i + 1;
                if (c >= n) break;
                if (c + 1 < n && (score[c + 1] > score[c] || score[c + 1] == score[c] && f[0][c + 1] < f[0][c])) c++;
                if (!(score[c] > sc || score[c] == sc && f[0][c] < l)) break;
                copy(c, i);
                i = c;
            }
            score[i] = sc;
            f[0][i] = l; f[1][i] = r; f[2][i] = m; f[3][i] = li; f[4][i] = ri;
        }

        private void copy(int from, int to) {
            score[to] = score[from];
            for (int j = 0; j < 5; j++) f[j][to] = f[j][from];
        }
    }

    @Override
    public String decode(int[] ids) {
        return spm.decode(ids);
    }

    @Override
    public int vocabSize() {
        return vocab.length;
    }

    @Override
    public String piece(int id) {
        return spm.piece(id);
    }

    @Override
    public int pieceId(String piece) {
        return spm.pieceId(piece);
    }

    /** The token's bytes exactly as stored in the file (space for '▁', {@code "\n<s>\n"} for BOS). */
    public byte[] rawToken(int id) {
        checkId(id);
        return vocab[id].clone();
    }

    public float score(int id) {
        checkId(id);
        return scores[id];
    }

    @Override
    public SpecialTokens specialTokens() {
        return new SpecialTokens(BOS, EOS, -1, UNK);
    }

    @Override
    public boolean isSpecial(int id) {
        return spm.isSpecial(id);
    }

    @Override
    public String describe() {
        return "llama2.c tokenizer " + file;
    }
}
