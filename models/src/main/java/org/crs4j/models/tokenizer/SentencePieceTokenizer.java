package org.crs4j.models.tokenizer;

import java.io.IOException;
import java.nio.file.Path;

import org.crs4j.models.tokenizer.SentencePieceModel.PieceType;

/**
 * A SentencePiece {@code .model} (T5's {@code spiece.model}, LLaMA 1/2's {@code tokenizer.model}) that encodes and
 * decodes like SentencePiece 0.1.97's {@code SentencePieceProcessor}: normalize, segment with the model (unigram,
 * BPE, word or char), then turn unknown pieces into byte pieces when byte fallback is on or merge runs of them into one
 * unknown token when it is off.
 */
public final class SentencePieceTokenizer implements Tokenizer {
    private final SentencePieceModel model;
    private final SpmVocab vocab;
    private final SpmNormalizer normalizer;
    private final SpmNormalizer denormalizer; // null when the model has none
    private final SpmSegmenter segmenter;
    private final SpecialTokens special;
    private final int[] decodeId; // Decode maps id -> piece -> id again; reserved pieces win over normal ones
    private final byte[] unkSurface;

    public SentencePieceTokenizer(SentencePieceModel model) throws TokenizerFormatException {
        this.model = model;
        this.vocab = new SpmVocab(model);
        SentencePieceModel.TrainerSpec trainer = model.trainerSpec();
        this.normalizer = new SpmNormalizer(model.normalizerSpec(), trainer.treatWhitespaceAsSuffix(), vocab.userDefined,
                model.file());
        SentencePieceModel.NormalizerSpec de = model.denormalizerSpec();
        this.denormalizer = de == null || de.precompiledCharsmap().length == 0 ? null
                : new SpmNormalizer(de, false, null, model.file());
        this.segmenter = switch (trainer.modelType()) {
            case UNIGRAM -> new SpmUnigram(vocab);
            case BPE -> new SpmBpe(vocab);
            case WORD -> SpmWordChar.word(vocab);
            case CHAR -> SpmWordChar.character(vocab);
        };
        this.special = new SpecialTokens(idIf(trainer.bosPiece(), PieceType.CONTROL), idIf(trainer.eosPiece(), PieceType.CONTROL),
                idIf(trainer.padPiece(), PieceType.CONTROL), idIf(trainer.unkPiece(), PieceType.UNKNOWN));
        this.decodeId = new int[vocab.size()];
        for (int i = 0; i < decodeId.length; i++) decodeId[i] = vocab.pieceToId(vocab.bytes[i]);
        this.unkSurface = Utf8.bytes(trainer.unkSurface());
    }

    public static SentencePieceTokenizer load(Path file) throws IOException {
        return new SentencePieceTokenizer(SentencePieceModel.read(file));
    }

    public SentencePieceModel model() {
        return model;
    }

    // SentencePieceProcessor::bos_id() etc.: the id of the named piece, if it has the expected type.
    private int idIf(String piece, PieceType type) {
        int id = vocab.pieceToId(Utf8.bytes(piece));
        return vocab.types[id] == type ? id : -1;
    }

    @Override
    public int[] encode(String text) {
        byte[] in = Utf8.bytes(text);
        ByteBuf norm = new ByteBuf(in.length * 3 / 2 + 8);
        normalizer.normalize(in, in.length, norm);
        int size = norm.size();
        if (size == 0) return new int[0];
        byte[] s = norm.array();
        IntList ends = new IntList(size / 3 + 4), ids = new IntList(size / 3 + 4);
        segmenter.segment(s, size, ends, ids);
        // SentencePieceProcessor::PopulateSentencePieceText.
        IntList out = new IntList(ids.size() + 4);
        boolean prevUnk = false;
        int begin = 0;
        for (int k = 0; k < ids.size(); k++) {
            int id = ids.get(k), end = ends.get(k);
            boolean unk = vocab.types[id] == PieceType.UNKNOWN;
            if (unk && vocab.byteFallback) {
                for (int i = begin; i < end; i++) out.add(vocab.byteToId[s[i] & 0xFF]);
            } else if (!(unk && prevUnk)) {
                out.add(id); // a run of unknown pieces stays one unknown token
            }
            prevUnk = unk;
            begin = end;
        }
        return out.toArray();
    }

    @Override
    public String decode(int[] ids) {
        for (int id : ids) checkId(id);
        ByteBuf text = new ByteBuf(ids.length * 6 + 8);
        boolean isBosWs = true, bosWsSeen = false;
        int byteStart = 0;
        SentencePieceModel.NormalizerSpec ns = model.normalizerSpec();
        for (int i = 0; i < ids.length; i++) {
            int id = decodeId[ids[i]];
            if (vocab.types[id] == PieceType.BYTE) continue;
            appendBytes(ids, byteStart, i, text);
            if (bosWsSeen || text.size() > 0) isBosWs = false;
            byteStart = i + 1;
            bosWsSeen = false;
            PieceType t = vocab.types[id];
            if (t == PieceType.CONTROL) continue;
            if (t == PieceType.UNKNOWN) {
                text.append(unkSurface);
                continue;
            }
            byte[] p = vocab.bytes[id];
            int from = 0;
            if (isBosWs && (ns.addDummyPrefix() || ns.removeExtraWhitespaces())) {
                if (startsWithSpaceSymbol(p)) {
                    from = 3;
                    bosWsSeen = true;
                }
                if (ns.removeExtraWhitespaces()) bosWsSeen = false; // then every leading '▁' goes
            }
            appendUnescaped(p, from, text);
        }
        appendBytes(ids, byteStart, ids.length, text);
        if (denormalizer != null) {
            ByteBuf out = new ByteBuf(text.size() + 8);
            denormalizer.normalize(text.array(), text.size(), out);
            text = out;
        }
        return text.toUtf8();
    }

    // ProcessBytePieces: bytes of consecutive byte pieces, read as UTF-8, one U+FFFD per byte that starts no character.
    private void appendBytes(int[] ids, int from, int to, ByteBuf text) {
        if (from >= to) return;
        byte[] b = new byte[to - from];
        for (int i = from; i < to; i++) b[i - from] = (byte) vocab.byteValue[decodeId[ids[i]]];
        for (int p = 0; p < b.length; ) {
            int n = Utf8.validCharLen(b, p, b.length);
            if (n < 0) {
                text.append(Utf8.REPLACEMENT);
                p++;
            } else {
                text.append(b, p, n);
                p += n;
            }
        }
    }

    private static boolean startsWithSpaceSymbol(byte[] p) {
        return p.length >= 3 && SpmWordChar.isSpaceSymbol(p, 0, 3);
    }

    private static void appendUnescaped(byte[] p, int from, ByteBuf out) {
        for (int i = from; i < p.length; ) {
            if (i + 3 <= p.length && SpmWordChar.isSpaceSymbol(p, i, 3)) {
                out.append((byte) ' ');
                i += 3;
            } else {
                out.append(p[i++]);
            }
        }
    }

    @Override
    public int vocabSize() {
        return vocab.size();
    }

    @Override
    public String piece(int id) {
        checkId(id);
        return vocab.text[id];
    }

    @Override
    public int pieceId(String piece) {
        byte[] b = Utf8.bytes(piece);
        int id = vocab.reserved.get(b, 0, b.length);
        return id >= 0 ? id : vocab.normal.get(b, 0, b.length);
    }

    /** The piece's score: a log probability for unigram models, the merge priority for BPE models. */
    public float score(int id) {
        checkId(id);
        return vocab.scores[id];
    }

    public PieceType pieceType(int id) {
        checkId(id);
        return vocab.types[id];
    }

    @Override
    public SpecialTokens specialTokens() {
        return special;
    }

    @Override
    public boolean isSpecial(int id) {
        checkId(id);
        return vocab.types[id] == PieceType.CONTROL;
    }

    @Override
    public String describe() {
        return "SentencePiece " + model.trainerSpec().modelType().name().toLowerCase(java.util.Locale.ROOT)
                + " tokenizer " + model.file();
    }
}
