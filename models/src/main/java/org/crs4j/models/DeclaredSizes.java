package org.crs4j.models;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.crs4j.models.tokenizer.Tokenizer;

/**
 * The one place where the sizes a model declares (config.json, a llama2.c header) meet the weights actually present,
 * before anything is allocated. A config whose hidden size or layer count is absurd would otherwise make the model
 * allocate its norms and layers first (an OutOfMemoryError, or a minute of work) and only then find that the weights do
 * not fit. Each architecture names, field by field, which tensor dimension or block count must agree; the first
 * disagreement is reported with the config file, the field, and the weights file:
 *
 * <pre>config.json: hidden_size: 2000000000, but model.embed_tokens.weight in model.safetensors is [512, 64]</pre>
 *
 * Sizes no tensor shows (context length, ids) are checked against the vocabulary and sane ranges by the config
 * readers; the tokenizer found beside a model is checked against the vocabulary here ({@link #tokenizer}).
 */
public final class DeclaredSizes {
    private final Path config;
    private final Path weightsFile;
    private final Map<String, long[]> shapes;

    /**
     * @param config      the file that declares the sizes (named in errors)
     * @param weightsFile the checkpoint (named in errors)
     * @param shapes      the checkpoint's tensors, by the names the model uses
     */
    public DeclaredSizes(Path config, Path weightsFile, Map<String, long[]> shapes) {
        this.config = config;
        this.weightsFile = weightsFile;
        this.shapes = shapes;
    }

    private String weights() {
        return weightsFile.getFileName() == null ? weightsFile.toString() : weightsFile.getFileName().toString();
    }

    /** {@code field} (declared {@code value}) must equal dimension {@code dim} of {@code tensor}. */
    public DeclaredSizes dim(String field, long value, String tensor, int dim) throws ModelFormatException {
        long[] shape = shapes.get(tensor);
        if (shape == null) {
            throw new ModelFormatException(config, field + ": " + value + ", but " + weights() + " has no " + tensor);
        }
        if (shape.length <= dim || shape[dim] != value) {
            throw new ModelFormatException(config, field + ": " + value + ", but " + tensor + " in " + weights() + " is "
                    + Arrays.toString(shape));
        }
        return this;
    }

    /**
     * {@code field} (declared {@code value}) must equal the number of blocks {@code prefix + "0."}, {@code prefix + "1."},
     * ... that the checkpoint holds, numbered without gaps.
     */
    public DeclaredSizes blocks(String field, int value, String prefix) throws ModelFormatException {
        Pattern p = Pattern.compile(Pattern.quote(prefix) + "(\\d+)\\.");
        TreeSet<Long> present = new TreeSet<>();
        for (String name : shapes.keySet()) {
            Matcher m = p.matcher(name);
            if (m.lookingAt() && m.group(1).length() < 10) present.add(Long.parseLong(m.group(1)));
        }
        if (present.size() != value || (!present.isEmpty() && present.last() != value - 1)) {
            boolean contiguous = !present.isEmpty() && present.last() - present.first() == present.size() - 1;
            String held = present.isEmpty() ? "no " + prefix + "N tensors"
                    : contiguous ? present.size() + " blocks (" + prefix + present.first() + " to " + prefix + present.last() + ")"
                    : present.size() + " blocks (" + prefix + present.stream().limit(8).map(String::valueOf)
                            .collect(java.util.stream.Collectors.joining(", ")) + (present.size() > 8 ? ", ..." : "") + ")";
            throw new ModelFormatException(config, field + ": " + value + ", but " + weights() + " holds " + held);
        }
        return this;
    }

    /** The checkpoint must hold {@code tensor}, which {@code field} implies ({@code why} says how). */
    public DeclaredSizes requires(String field, String why, String tensor) throws ModelFormatException {
        if (!shapes.containsKey(tensor)) {
            throw new ModelFormatException(config, field + ": " + why + ", but " + weights() + " has no " + tensor);
        }
        return this;
    }

    /**
     * A tokenizer used with a model of {@code vocab} embedding rows: ids past the embedding would index no row. A
     * tokenizer with more ids is refused when any of the extra ids is an ordinary token (text would produce it);
     * extra special tokens are accepted, as Hugging Face accepts them, and refused only if a prompt holds one.
     */
    public static void tokenizer(Tokenizer tokenizer, int vocab, Path config) throws ModelFormatException {
        int size = tokenizer.vocabSize();
        if (size <= vocab) return;
        int ordinary = 0, first = -1;
        for (int id = vocab; id < size; id++) {
            if (!tokenizer.isSpecial(id)) {
                ordinary++;
                if (first < 0) first = id;
            }
        }
        if (ordinary > 0) {
            throw new ModelFormatException(config, "vocab_size: " + vocab + ", but the tokenizer (" + tokenizer.describe()
                    + ") has " + size + " ids, " + ordinary + " of them ordinary tokens past the embedding (the first: id "
                    + first + ")");
        }
    }

    /**
     * Refuses to build a model whose own allocations cannot fit the heap: all its F32 weights when it is initialised
     * at random ({@code parameters}), or only its norms when it will receive a checkpoint's weights. A config used
     * without a checkpoint (training from scratch) has no weights to be checked against, so this is its sane limit.
     *
     * @throws IllegalArgumentException naming the sizes and the heap
     */
    public static void fitsHeap(String model, boolean randomWeights, long parameters, long normFloats) {
        // a count that overflowed a long (sizes near 2^31 multiplied together) is past any heap too
        long bytes = randomWeights ? (parameters < 0 ? Long.MAX_VALUE : saturating(parameters, 4))
                : (normFloats < 0 ? Long.MAX_VALUE : saturating(normFloats, 4));
        long max = Runtime.getRuntime().maxMemory();
        if (bytes > max) {
            throw new IllegalArgumentException(model + " of " + parameters + " parameters needs " + (bytes >> 20) + " MiB for its "
                    + (randomWeights ? "F32 weights" : "norms") + ", more than the JVM's maximum heap of " + (max >> 20) + " MiB");
        }
    }

    private static long saturating(long a, long b) {
        return a > Long.MAX_VALUE / b ? Long.MAX_VALUE : a * b;
    }

    /** dtype names Hugging Face writes in config.json (torch_dtype, or dtype since transformers 4.56). */
    private static final java.util.Set<String> DTYPES = java.util.Set.of("float32", "float", "float16", "half", "bfloat16",
            "float64", "double", "auto");

    /**
     * {@code torch_dtype} / {@code dtype}: the weights' dtype as the exporter declared it. crs4j computes in F32 whatever it
     * says (the stored dtype comes from the safetensors header), but a value that is no dtype means a broken config.
     */
    public static void dtype(JsonFields f) throws ModelFormatException {
        for (String field : new String[] {"torch_dtype", "dtype"}) {
            String v = f.string(field, null);
            if (v == null) continue;
            String name = v.startsWith("torch.") ? v.substring(6) : v;
            if (!DTYPES.contains(name)) {
                throw f.error(field, "\"" + v + "\" is not a dtype (float32, bfloat16, float16, float64, auto)");
            }
        }
    }
}
