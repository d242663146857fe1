package org.crs4j.models.tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The contents of a SentencePiece {@code .model} file (protobuf {@code ModelProto}, see SentencePiece's
 * {@code sentencepiece_model.proto}): the pieces with their scores and types, and the trainer and normalizer settings
 * that encoding depends on. Fields the encoder does not use are skipped by wire type.
 */
public final class SentencePieceModel {

    public enum ModelType { UNIGRAM, BPE, WORD, CHAR }

    public enum PieceType { NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE }

    /** One vocabulary entry; {@code bytes} is the exact UTF-8 of the piece as stored. */
    public record Piece(String text, byte[] bytes, float score, PieceType type) {}

    /** The {@code TrainerSpec} fields that shape encoding and the special-token names (proto defaults applied). */
    public record TrainerSpec(ModelType modelType, int vocabSize, boolean byteFallback, boolean splitDigits,
                              boolean treatWhitespaceAsSuffix, boolean allowWhitespaceOnlyPieces,
                              boolean splitByWhitespace, boolean splitByNumber, boolean splitByUnicodeScript,
                              int maxSentencePieceLength, int unkId, int bosId, int eosId, int padId,
                              String unkPiece, String bosPiece, String eosPiece, String padPiece,
                              String unkSurface) {}

    /** {@code NormalizerSpec}: the rule name, the compiled rules, and the whitespace handling. */
    public record NormalizerSpec(String name, byte[] precompiledCharsmap, boolean addDummyPrefix,
                                 boolean removeExtraWhitespaces, boolean escapeWhitespaces) {}

    private final Path file;
    private final List<Piece> pieces;
    private final TrainerSpec trainerSpec;
    private final NormalizerSpec normalizerSpec;
    private final NormalizerSpec denormalizerSpec;

    private SentencePieceModel(Path file, List<Piece> pieces, TrainerSpec trainerSpec, NormalizerSpec normalizerSpec,
                               NormalizerSpec denormalizerSpec) {
        this.file = file;
        this.pieces = List.copyOf(pieces);
        this.trainerSpec = trainerSpec;
        this.normalizerSpec = normalizerSpec;
        this.denormalizerSpec = denormalizerSpec;
    }

    public Path file() { return file; }
    public List<Piece> pieces() { return pieces; }
    public TrainerSpec trainerSpec() { return trainerSpec; }
    public NormalizerSpec normalizerSpec() { return normalizerSpec; }
    /** The optional decode-time normalizer, or null. */
    public NormalizerSpec denormalizerSpec() { return denormalizerSpec; }

    /** A model assembled in memory (e.g. from a llama2.c {@code tokenizer.bin}); {@code file} names its source. */
    static SentencePieceModel of(Path file, List<Piece> pieces, TrainerSpec trainerSpec, NormalizerSpec normalizerSpec) {
        return new SentencePieceModel(file, pieces, trainerSpec, normalizerSpec, null);
    }

    public static SentencePieceModel read(Path file) throws IOException {
        return parse(org.crs4j.io.InputFiles.readAll(file, Tokenizers.MAX_FILE_BYTES), file);
    }

    /** Parses a serialized {@code ModelProto}; {@code file} only names the source in errors. */
    public static SentencePieceModel parse(byte[] data, Path file) throws TokenizerFormatException {
        ProtoReader in = new ProtoReader(data, file, "ModelProto");
        List<Piece> pieces = new ArrayList<>();
        Trainer trainer = new Trainer();
        Normalizer normalizer = null;
        Normalizer denormalizer = null;
        while (in.hasMore()) {
            int tag = in.readTag();
            switch (ProtoReader.field(tag)) {
                case 1 -> {
                    in.expect(tag, ProtoReader.LEN, "pieces");
                    pieces.add(readPiece(in.readMessage("ModelProto.pieces[" + pieces.size() + "]"), pieces.size()));
                }
                case 2 -> {
                    in.expect(tag, ProtoReader.LEN, "trainer_spec");
                    trainer.merge(in.readMessage("TrainerSpec"));
                }
                case 3 -> {
                    in.expect(tag, ProtoReader.LEN, "normalizer_spec");
                    if (normalizer == null) normalizer = new Normalizer();
                    normalizer.merge(in.readMessage("NormalizerSpec"));
                }
                case 5 -> {
                    in.expect(tag, ProtoReader.LEN, "denormalizer_spec");
                    if (denormalizer == null) denormalizer = new Normalizer();
                    denormalizer.merge(in.readMessage("denormalizer_spec"));
                }
                default -> in.skip(tag); // 4 = self_test_data, and anything newer
            }
        }
        if (pieces.isEmpty()) throw new TokenizerFormatException(file, "malformed SentencePiece model: it has no pieces");
        if (normalizer == null) normalizer = new Normalizer();
        return new SentencePieceModel(file, pieces, trainer.build(file), normalizer.build(),
                denormalizer == null ? null : denormalizer.build());
    }

    private static Piece readPiece(ProtoReader in, int index) throws TokenizerFormatException {
        byte[] bytes = null;
        float score = 0;
        PieceType type = PieceType.NORMAL;
        while (in.hasMore()) {
            int tag = in.readTag();
            switch (ProtoReader.field(tag)) {
                case 1 -> { in.expect(tag, ProtoReader.LEN, "piece"); bytes = in.readBytes("piece " + index); }
                case 2 -> { in.expect(tag, ProtoReader.FIXED32, "score"); score = Float.intBitsToFloat(in.readFixed32()); }
                case 3 -> {
                    in.expect(tag, ProtoReader.VARINT, "type");
                    long t = in.readVarint();
                    type = switch ((int) t) {
                        case 1 -> PieceType.NORMAL;
                        case 2 -> PieceType.UNKNOWN;
                        case 3 -> PieceType.CONTROL;
                        case 4 -> PieceType.USER_DEFINED;
                        case 5 -> PieceType.UNUSED;
                        case 6 -> PieceType.BYTE;
                        default -> throw in.error("piece " + index + " has unknown type " + t);
                    };
                }
                default -> in.skip(tag);
            }
        }
        if (bytes == null || bytes.length == 0) throw in.error("piece " + index + " is empty");
        return new Piece(new String(bytes, StandardCharsets.UTF_8), bytes, score, type);
    }

    /** TrainerSpec with the proto2 defaults of sentencepiece_model.proto. */
    private static final class Trainer {
        int modelType = 1, vocabSize = 8000, maxPieceLength = 16;
        int unkId = 0, bosId = 1, eosId = 2, padId = -1;
        boolean byteFallback, splitDigits, treatWsAsSuffix, allowWsOnly;
        boolean splitByWhitespace = true, splitByNumber = true, splitByScript = true;
        String unkPiece = "<unk>", bosPiece = "<s>", eosPiece = "</s>", padPiece = "<pad>";
        String unkSurface = " \u2047 ";

        void merge(ProtoReader in) throws TokenizerFormatException {
            while (in.hasMore()) {
                int tag = in.readTag();
                int f = ProtoReader.field(tag);
                switch (f) {
                    case 3 -> { in.expect(tag, ProtoReader.VARINT, "model_type"); modelType = in.readInt32(); }
                    case 4 -> { in.expect(tag, ProtoReader.VARINT, "vocab_size"); vocabSize = in.readInt32(); }
                    case 20 -> { in.expect(tag, ProtoReader.VARINT, "max_sentencepiece_length"); maxPieceLength = in.readInt32(); }
                    case 21 -> { in.expect(tag, ProtoReader.VARINT, "split_by_unicode_script"); splitByScript = in.readBool(); }
                    case 22 -> { in.expect(tag, ProtoReader.VARINT, "split_by_whitespace"); splitByWhitespace = in.readBool(); }
                    case 23 -> { in.expect(tag, ProtoReader.VARINT, "split_by_number"); splitByNumber = in.readBool(); }
                    case 24 -> { in.expect(tag, ProtoReader.VARINT, "treat_whitespace_as_suffix"); treatWsAsSuffix = in.readBool(); }
                    case 25 -> { in.expect(tag, ProtoReader.VARINT, "split_digits"); splitDigits = in.readBool(); }
                    case 26 -> { in.expect(tag, ProtoReader.VARINT, "allow_whitespace_only_pieces"); allowWsOnly = in.readBool(); }
                    case 35 -> { in.expect(tag, ProtoReader.VARINT, "byte_fallback"); byteFallback = in.readBool(); }
                    case 40 -> { in.expect(tag, ProtoReader.VARINT, "unk_id"); unkId = in.readInt32(); }
                    case 41 -> { in.expect(tag, ProtoReader.VARINT, "bos_id"); bosId = in.readInt32(); }
                    case 42 -> { in.expect(tag, ProtoReader.VARINT, "eos_id"); eosId = in.readInt32(); }
                    case 43 -> { in.expect(tag, ProtoReader.VARINT, "pad_id"); padId = in.readInt32(); }
                    case 44 -> { in.expect(tag, ProtoReader.LEN, "unk_surface"); unkSurface = in.readString("unk_surface"); }
                    case 45 -> { in.expect(tag, ProtoReader.LEN, "unk_piece"); unkPiece = in.readString("unk_piece"); }
                    case 46 -> { in.expect(tag, ProtoReader.LEN, "bos_piece"); bosPiece = in.readString("bos_piece"); }
                    case 47 -> { in.expect(tag, ProtoReader.LEN, "eos_piece"); eosPiece = in.readString("eos_piece"); }
                    case 48 -> { in.expect(tag, ProtoReader.LEN, "pad_piece"); padPiece = in.readString("pad_piece"); }
                    default -> in.skip(tag);
                }
            }
        }

        TrainerSpec build(Path file) throws TokenizerFormatException {
            ModelType type = switch (modelType) {
                case 1 -> ModelType.UNIGRAM;
                case 2 -> ModelType.BPE;
                case 3 -> ModelType.WORD;
                case 4 -> ModelType.CHAR;
                default -> throw new TokenizerFormatException(file,
                        "malformed SentencePiece model: TrainerSpec.model_type " + modelType + " is not UNIGRAM(1), BPE(2), WORD(3) or CHAR(4)");
            };
            // SentencePiece treats an empty piece name as "use the default".
            return new TrainerSpec(type, vocabSize, byteFallback, splitDigits, treatWsAsSuffix, allowWsOnly,
                    splitByWhitespace, splitByNumber, splitByScript, maxPieceLength, unkId, bosId, eosId, padId,
                    unkPiece.isEmpty() ? "<unk>" : unkPiece, bosPiece.isEmpty() ? "<s>" : bosPiece,
                    eosPiece.isEmpty() ? "</s>" : eosPiece, padPiece.isEmpty() ? "<pad>" : padPiece, unkSurface);
        }
    }

    private static final class Normalizer {
        String name = "";
        byte[] charsmap = new byte[0];
        boolean addDummyPrefix = true, removeExtraWhitespaces = true, escapeWhitespaces = true;

        void merge(ProtoReader in) throws TokenizerFormatException {
            while (in.hasMore()) {
                int tag = in.readTag();
                switch (ProtoReader.field(tag)) {
                    case 1 -> { in.expect(tag, ProtoReader.LEN, "name"); name = in.readString("name"); }
                    case 2 -> { in.expect(tag, ProtoReader.LEN, "precompiled_charsmap"); charsmap = in.readBytes("precompiled_charsmap"); }
                    case 3 -> { in.expect(tag, ProtoReader.VARINT, "add_dummy_prefix"); addDummyPrefix = in.readBool(); }
                    case 4 -> { in.expect(tag, ProtoReader.VARINT, "remove_extra_whitespaces"); removeExtraWhitespaces = in.readBool(); }
                    case 5 -> { in.expect(tag, ProtoReader.VARINT, "escape_whitespaces"); escapeWhitespaces = in.readBool(); }
                    default -> in.skip(tag); // 6 = normalization_rule_tsv (training only)
                }
            }
        }

        NormalizerSpec build() {
            return new NormalizerSpec(name, charsmap, addDummyPrefix, removeExtraWhitespaces, escapeWhitespaces);
        }
    }
}
