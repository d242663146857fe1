package org.crs4j.tensor.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.crs4j.tensor.BinaryOp;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.ReduceOp;
import org.crs4j.tensor.UnaryOp;
import org.junit.jupiter.api.Test;

/**
 * The committed PTX is current and agrees with the Java side, on every machine (no nvcc, driver or GPU needed):
 * each module's header records the SHA-256 of the nvcc flags in {@code scripts/cuda-ptx.sh} and of the CUDA C sources
 * it was generated from, and the sources' op codes, dtype codes and layout limits are those of the Java enums.
 */
class CudaKernelSourcesTest {
    static final Path SOURCES = Path.of("src/main/cuda"), PTX = Path.of("src/main/resources/org/crs4j/tensor/cuda"),
            SCRIPT = Path.of("../scripts/cuda-ptx.sh");

    static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    /** FLAGS="..." of the generating script. */
    static String scriptFlags() throws IOException {
        Matcher m = Pattern.compile("(?m)^FLAGS=\"([^\"]*)\"").matcher(read(SCRIPT));
        assertTrue(m.find(), "scripts/cuda-ptx.sh defines FLAGS");
        return m.group(1);
    }

    /** The hash the script writes: sha256(flags + "\n" + crs4j.cuh + NAME.cu). */
    static String sourceHash(String module) throws IOException, NoSuchAlgorithmException {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update((scriptFlags() + "\n").getBytes(StandardCharsets.UTF_8));
        sha.update(Files.readAllBytes(SOURCES.resolve("crs4j.cuh")));
        sha.update(Files.readAllBytes(SOURCES.resolve(module + ".cu")));
        return HexFormat.of().formatHex(sha.digest());
    }

    @Test
    void everySourceHasItsModuleAndEveryModuleItsSource() throws IOException {
        List<String> sources;
        try (Stream<Path> s = Files.list(SOURCES)) {
            sources = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cu")).map(n -> n.substring(0, n.length() - 3))
                    .sorted().toList();
        }
        List<String> ptx;
        try (Stream<Path> s = Files.list(PTX)) {
            ptx = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".ptx") && !n.equals("smoke.ptx"))
                    .map(n -> n.substring(0, n.length() - 4)).sorted().toList();
        }
        assertEquals(sources, ptx, "one committed PTX module per .cu source (run scripts/cuda-ptx.sh)");
        assertEquals(sources, CudaModules.NAMES.stream().sorted().toList(), "CudaModules.NAMES lists every module");
    }

    @Test
    void theCommittedPtxWasGeneratedFromTheCurrentSources() throws Exception {
        for (String module : CudaModules.NAMES) {
            String text = read(PTX.resolve(module + ".ptx"));
            Matcher m = Pattern.compile("(?m)^// crs4j-source-sha256: ([0-9a-f]{64})$").matcher(text);
            assertTrue(m.find(), module + ".ptx has the generator's header");
            assertEquals(sourceHash(module), m.group(1), module + ".ptx is stale: its sources or the nvcc flags changed since it was"
                    + " generated; run scripts/cuda-ptx.sh and commit the result");
            assertTrue(text.contains("\n.version 8.0\n"), module + ": PTX ISA 8.0, which JCuda 12.6's compiler reads");
            assertTrue(text.contains("\n.target sm_80\n"), module + ": compute_80, JIT-compiled for newer GPUs");
        }
    }

    /** The names of a C enum's constants, prefix stripped. */
    static List<String> cEnum(String source, String name, String prefix) {
        Matcher m = Pattern.compile("enum " + name + "\\s*\\{([^}]*)\\}").matcher(source);
        assertTrue(m.find(), "enum " + name);
        List<String> out = new ArrayList<>();
        for (String item : m.group(1).split(",")) {
            String id = item.trim().split("\\s*=")[0].trim();
            if (!id.isEmpty()) out.add(id.substring(prefix.length()));
        }
        return out;
    }

    static List<String> names(Enum<?>[] values) {
        return Arrays.stream(values).map(Enum::name).toList();
    }

    @Test
    void opAndDtypeCodesAreTheJavaOrdinals() throws IOException {
        String elementwise = read(SOURCES.resolve("elementwise.cu")), reduce = read(SOURCES.resolve("reduce.cu")),
                common = read(SOURCES.resolve("crs4j.cuh"));
        assertEquals(names(UnaryOp.values()), cEnum(elementwise, "UnaryCode", "U_"));
        assertEquals(names(BinaryOp.values()), cEnum(elementwise, "BinaryCode", "B_"));
        assertEquals(names(ReduceOp.values()), cEnum(reduce, "ReduceCode", "R_"));
        List<String> dtypes = new ArrayList<>(names(DType.values()));
        assertEquals("Q8_0", dtypes.removeLast(), "Q8_0 is last and never reaches a kernel");
        assertEquals(dtypes, cEnum(common, "DTypeCode", "DT_"));
    }

    @Test
    void layoutLimitsMatch() throws IOException {
        String common = read(SOURCES.resolve("crs4j.cuh"));
        assertTrue(common.contains("#define MAX_DIMS " + Layout.MAX_DIMS + "\n"));
        assertTrue(common.contains("#define MAX_OPERANDS " + Layout.MAX_OPERANDS + "\n"));
        // struct Layout { int rank; int shape[MAX_DIMS]; int stride[MAX_OPERANDS][MAX_DIMS]; } as a kernel parameter
        int bytes = 4 * (1 + Layout.MAX_DIMS + Layout.MAX_OPERANDS * Layout.MAX_DIMS);
        assertEquals(bytes, 4 * Layout.of(new int[] {3}, new int[] {1}).toInts().length);
        assertEquals(bytes, CudaModules.signatures("elementwise").params("copy_strided").get(1).bytes(), "struct Layout in the PTX");
        assertEquals(48, CudaModules.signatures("attention").params("attention_decode").get(0).bytes(), "struct T4 in the PTX");
        assertEquals(6 * 8, CudaAttention.t4(null).length * 8);
    }
}
