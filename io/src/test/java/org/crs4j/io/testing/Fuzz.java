package org.crs4j.io.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A bounded mutation test of one reader family. A generator turns a seeded random stream into variants (a folder of
 * files: a config next to its weights, a dataset folder, ...); each variant is written to a fresh folder and read on a
 * worker thread. A variant passes when the reader accepts it or refuses it with an exception of the expected kind whose
 * one-line message names one of the variant's files. It fails on anything else: a stack-trace exception
 * (NullPointerException, IllegalArgumentException without a file...), an {@link OutOfMemoryError}, a read that runs
 * longer than {@code timeout} (a hang), or one that allocates more than {@code allocationLimit} bytes on its thread for
 * a file of a few kilobytes (sizes trusted before they were checked).
 *
 * <p>Failing variants are written under {@code target/fuzz-findings/FAMILY/} so that they can be added to the family's
 * corpus ({@code src/test/resources/.../fuzz-corpus/FAMILY/}), which {@link #replay} runs on every build.
 */
public final class Fuzz {
    /** Reads the variant written in {@code folder}; returns normally when it accepts it. */
    @FunctionalInterface
    public interface Reader {
        void read(Path folder) throws Exception;
    }

    /** What one family's run saw. */
    public record Summary(String family, int accepted, int refused, List<String> failures, Map<String, Integer> reasons,
                          boolean budgetSpent) {
        @Override
        public String toString() {
            return family + ": " + (accepted + refused) + " variants, " + accepted + " accepted, " + refused + " refused, "
                    + failures.size() + " failures" + (budgetSpent ? " (stopped by the time budget)" : "");
        }

        /**
         * The run proves something only if it reached both outcomes: at least {@code minVariants} variants (20 when a
         * busy machine spent the time budget first), of which at least 2% were accepted and 10% refused (a generator
         * that only breaks files, or never does, tests nothing).
         */
        public void requireBothOutcomes(int minVariants) {
            int n = accepted + refused;
            if (n < (budgetSpent ? Math.min(20, minVariants) : minVariants) || accepted * 50 < n || refused * 10 < n) {
                throw new AssertionError("the run did not explore both outcomes: " + this);
            }
        }
    }

    private final String family;
    private final Reader reader;
    private Predicate<Throwable> expected = t -> t instanceof IOException || t instanceof UncheckedIOException;
    private Duration timeout = Duration.ofSeconds(10);
    private long allocationLimit = 256L << 20;
    private Path findings;

    public Fuzz(String family, Reader reader) {
        this.family = family;
        this.reader = reader;
        this.findings = Path.of("target", "fuzz-findings", family);
    }

    /** Which exceptions count as a clean refusal (default: IOException and UncheckedIOException). */
    public Fuzz expect(Predicate<Throwable> expected) {
        this.expected = expected;
        return this;
    }

    public Fuzz timeout(Duration timeout) {
        this.timeout = timeout;
        return this;
    }

    public Fuzz allocationLimit(long bytes) {
        this.allocationLimit = bytes;
        return this;
    }

    /**
     * Runs {@code iterations} variants from {@code generator} (seeded), in {@code work} (a scratch folder).
     * Stops early, without failing, once {@code budget} has passed, so that CI time stays bounded on a slow machine.
     */
    public Summary run(long seed, int iterations, Duration budget, Path work, Function<SplittableRandom, Map<String, byte[]>> generator)
            throws IOException {
        SplittableRandom rng = new SplittableRandom(seed);
        long deadline = System.nanoTime() + budget.toNanos();
        int accepted = 0, refused = 0;
        List<String> failures = new ArrayList<>();
        Map<String, Integer> reasons = new TreeMap<>();
        ExecutorService worker = newWorker();
        try {
            for (int i = 0; i < iterations && System.nanoTime() < deadline; i++) {
                Map<String, byte[]> variant = generator.apply(rng);
                Path folder = work.resolve(family + "-" + i);
                write(folder, variant);
                Outcome o = check(worker, folder, variant);
                if (o.failure != null) {
                    failures.add("variant " + i + " (seed " + seed + "): " + o.failure + " [saved as " + save(variant) + "]");
                    if (o.hung) worker = newWorker(); // the stuck thread cannot be stopped; leave it and go on
                } else if (o.refusal == null) {
                    accepted++;
                } else {
                    refused++;
                    reasons.merge(o.refusal.getClass().getSimpleName(), 1, Integer::sum);
                }
                deleteTree(folder);
            }
        } finally {
            worker.shutdownNow();
        }
        return new Summary(family, accepted, refused, failures, reasons, System.nanoTime() >= deadline);
    }

    /** Runs every variant of a corpus folder (one sub-folder per variant) and returns the failures. */
    public List<String> replay(Path corpus, Path work) throws IOException {
        List<String> failures = new ArrayList<>();
        if (!Files.isDirectory(corpus)) return List.of("no corpus at " + corpus);
        ExecutorService worker = newWorker();
        try (Stream<Path> entries = Files.list(corpus)) {
            for (Path entry : entries.sorted().toList()) {
                Map<String, byte[]> variant = readVariant(entry);
                Path folder = work.resolve(family + "-corpus-" + entry.getFileName());
                write(folder, variant);
                Outcome o = check(worker, folder, variant);
                if (o.failure != null) {
                    failures.add(entry.getFileName() + ": " + o.failure);
                    if (o.hung) worker = newWorker();
                }
                deleteTree(folder);
            }
        } finally {
            worker.shutdownNow();
        }
        return failures;
    }

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz-reader");
            t.setDaemon(true);
            return t;
        });
    }

    private record Outcome(Throwable refusal, String failure, boolean hung) {}

    private Outcome check(ExecutorService worker, Path folder, Map<String, byte[]> variant) {
        Future<long[]> f = worker.submit(() -> {
            var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long id = Thread.currentThread().threadId();
            long before = mx.getThreadAllocatedBytes(id);
            reader.read(folder);
            return new long[] {mx.getThreadAllocatedBytes(id) - before};
        });
        try {
            long allocated = f.get(timeout.toMillis(), TimeUnit.MILLISECONDS)[0];
            if (allocated > allocationLimit) {
                return new Outcome(null, "accepted after allocating " + (allocated >> 20) + " MiB for " + size(variant) + " bytes of input", false);
            }
            return new Outcome(null, null, false);
        } catch (TimeoutException e) {
            f.cancel(true);
            return new Outcome(null, "no answer within " + timeout.toSeconds() + " s (a hang)", true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(null, "interrupted", false);
        } catch (ExecutionException e) {
            Throwable t = e.getCause();
            String problem = judge(t, names(folder, variant));
            return problem == null ? new Outcome(t, null, false) : new Outcome(null, problem, false);
        }
    }

    /** The variant's files and whatever else the reader put beside them (the weights a config refers to). */
    private static List<String> names(Path folder, Map<String, byte[]> variant) {
        List<String> names = new ArrayList<>(variant.keySet());
        try (Stream<Path> s = Files.walk(folder)) {
            s.filter(p -> !p.equals(folder)).forEach(p -> names.add(folder.relativize(p).toString()));
        } catch (IOException e) {
            // the variant's own names are enough
        }
        return names;
    }

    /** Null when {@code t} is a clean refusal: the expected kind, one line, naming one of the folder's files. */
    private String judge(Throwable t, List<String> files) {
        if (!expected.test(t)) return "escaped as " + t + stackTop(t);
        String msg = t.getMessage();
        if (msg == null || msg.isBlank()) return "refused without a message: " + t + stackTop(t);
        if (msg.contains("\n")) return "message spans several lines: " + msg;
        for (String name : files) {
            String last = Path.of(name).getFileName().toString();
            if (msg.contains(last)) return null;
        }
        return "message names none of the files " + files + ": " + msg;
    }

    private static String stackTop(Throwable t) {
        StackTraceElement[] st = t.getStackTrace();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(4, st.length); i++) sb.append(i == 0 ? " at " : " < ").append(st[i]);
        return sb.toString();
    }

    private static long size(Map<String, byte[]> variant) {
        return variant.values().stream().mapToLong(b -> b.length).sum();
    }

    private String save(Map<String, byte[]> variant) {
        try {
            var md = java.security.MessageDigest.getInstance("SHA-256");
            for (var e : new TreeMap<>(variant).entrySet()) {
                md.update(e.getKey().getBytes(StandardCharsets.UTF_8));
                md.update(e.getValue());
            }
            Path dir = findings.resolve(HexFormat.of().formatHex(md.digest()).substring(0, 12));
            write(dir, variant);
            return dir.toString();
        } catch (Exception e) {
            return "(not saved: " + e + ")";
        }
    }

    // ------------------------------------------------------------------ files

    public static void write(Path folder, Map<String, byte[]> variant) throws IOException {
        Files.createDirectories(folder);
        for (var e : variant.entrySet()) {
            Path p = folder.resolve(e.getKey());
            Files.createDirectories(p.getParent());
            Files.write(p, e.getValue());
        }
    }

    /** A corpus entry: a folder of files (relative paths kept) or a single file. */
    public static Map<String, byte[]> readVariant(Path entry) throws IOException {
        Map<String, byte[]> variant = new LinkedHashMap<>();
        if (Files.isRegularFile(entry)) {
            variant.put(entry.getFileName().toString(), Files.readAllBytes(entry));
            return variant;
        }
        try (Stream<Path> files = Files.walk(entry)) {
            for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
                variant.put(entry.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return variant;
    }

    /** The files of a folder as a variant (a seed to mutate). */
    public static Map<String, byte[]> folder(Path dir) throws IOException {
        return readVariant(dir);
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        }
    }
}
