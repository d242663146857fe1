package org.crs4j.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Load test of {@code crs4j serve} over loopback: closed-loop streaming clients (each sends its next request when
 * the last one ends) at given concurrency levels, then a burst past the server's queue bound.
 *
 * <pre>java -cp bench/target/benchmarks.jar org.crs4j.bench.ServeLoad URL MODEL [--clients 1,4,16] [--requests 2]
 *     [--max-tokens 64] [--pid SERVER_PID] [--burst N] [--burst-max-tokens N] [--timeout 600]</pre>
 *
 * Per level it prints the aggregate tokens/s (completion tokens from the server's usage counts ÷ the level's wall
 * time), time to first token (request sent → first streamed text, median and 90th percentile), each stream's own
 * decoding rate after its first token, and the server's peak resident memory (VmRSS sampled from /proc every 50 ms
 * when --pid is given) and its CPU time: tokens per server CPU-second, which other jobs on a shared machine disturb far
 * less than wall-clock rates. Requests are greedy with distinct prompts per client; bounded by count and a wall-clock
 * limit.
 */
public final class ServeLoad {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newVirtualThreadPerTaskExecutor()).connectTimeout(Duration.ofSeconds(10)).build();
    private final URI completions;
    private final String model;
    private int maxTokens;
    private final long pid;
    private final long deadline;

    private ServeLoad(String base, String model, int maxTokens, long pid, long timeoutSeconds) {
        this.completions = URI.create(base.replaceAll("/+$", "") + "/completions");
        this.model = model;
        this.maxTokens = maxTokens;
        this.pid = pid;
        this.deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    }

    /** One streamed request as the client saw it. */
    record Sample(int status, double ttft, double total, int tokens, String retryAfter) {}

    private static final String[] NAMES = {"Lily", "Tom", "Sue", "Max", "Ben", "Mia", "Sam", "Amy", "Tim", "Zoe", "Leo", "Eva", "Jack",
            "Anna", "Bob", "Kim"};

    private Sample request(int client, int round) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", model);
        body.put("prompt", "Once upon a time, " + NAMES[client % NAMES.length] + " went to the park" + ", again".repeat(round % 3));
        body.put("max_tokens", maxTokens);
        body.put("temperature", 0);
        body.put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        long t0 = System.nanoTime();
        HttpResponse<Stream<String>> r = http.send(HttpRequest.newBuilder(completions).header("Content-Type", "application/json")
                .timeout(Duration.ofNanos(Math.max(1, deadline - t0))).POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                HttpResponse.BodyHandlers.ofLines());
        if (r.statusCode() != 200) {
            try (Stream<String> s = r.body()) {
                s.forEach(x -> {});
            }
            return new Sample(r.statusCode(), Double.NaN, (System.nanoTime() - t0) / 1e9, 0, r.headers().firstValue("retry-after").orElse(""));
        }
        long first = 0;
        int tokens = 0;
        try (Stream<String> lines = r.body()) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (!line.startsWith("data: {")) continue;
                JsonNode ev = JSON.readTree(line.substring(6));
                if (ev.has("error")) throw new IOException("server error: " + ev.get("error"));
                JsonNode choices = ev.get("choices");
                if (first == 0 && choices.size() > 0 && !choices.get(0).get("text").asText().isEmpty()) first = System.nanoTime();
                if (ev.hasNonNull("usage")) tokens = ev.get("usage").get("completion_tokens").asInt();
            }
        }
        long end = System.nanoTime();
        return new Sample(200, (first - t0) / 1e9, (end - t0) / 1e9, tokens, "");
    }

    /** c clients, each sending `requests` requests one after the other. */
    private void level(int clients, int requests) throws Exception {
        List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
        long t0 = System.nanoTime();
        double cpu0 = serverCpuSeconds();
        try (Memory mem = new Memory(pid); ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> fs = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < requests && System.nanoTime() < deadline; i++) samples.add(request(client, i));
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get();
            double wall = (System.nanoTime() - t0) / 1e9, cpu = serverCpuSeconds() - cpu0;
            int tokens = samples.stream().mapToInt(Sample::tokens).sum();
            double[] ttft = samples.stream().filter(s -> s.status == 200).mapToDouble(Sample::ttft).sorted().toArray();
            double[] rate = samples.stream().filter(s -> s.status == 200 && s.tokens > 1)
                    .mapToDouble(s -> (s.tokens - 1) / (s.total - s.ttft)).sorted().toArray();
            long refused = samples.stream().filter(s -> s.status != 200).count();
            System.out.printf("clients %2d: %d requests (%d refused), %d tokens in %.2f s = %.1f tok/s aggregate; time to first token"
                            + " median %.3f s, p90 %.3f s, max %.3f s; per-stream decoding median %.1f tok/s; server CPU %.1f s = %.1f"
                            + " tokens per server CPU-second; server peak RSS %s%n",
                    clients, samples.size(), refused, tokens, wall, tokens / wall, quantile(ttft, 0.5), quantile(ttft, 0.9),
                    quantile(ttft, 1), quantile(rate, 0.5), cpu, tokens / cpu, mem.peak());
        }
    }

    /** n requests at once, open loop: how the server answers past its bound (max_tokens: --burst-max-tokens). */
    private void burst(int n) throws Exception {
        List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
        long t0 = System.nanoTime();
        try (Memory mem = new Memory(pid); ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int c = i;
                fs.add(pool.submit(() -> samples.add(request(c, 0))));
            }
            for (Future<?> f : fs) f.get();
            Map<Integer, Integer> statuses = new TreeMap<>();
            Map<String, Integer> retry = new TreeMap<>();
            for (Sample s : samples) {
                statuses.merge(s.status, 1, Integer::sum);
                if (s.status == 429) retry.merge(s.retryAfter, 1, Integer::sum);
            }
            double[] refusedIn = samples.stream().filter(s -> s.status == 429).mapToDouble(Sample::total).sorted().toArray();
            double[] servedIn = samples.stream().filter(s -> s.status == 200).mapToDouble(Sample::total).sorted().toArray();
            System.out.printf("burst of %d at once (max_tokens %d): statuses %s; Retry-After values (s) %s; 429s answered in median %.3f s (max %.3f);"
                            + " served requests done in median %.2f s (max %.2f); all done in %.2f s; server peak RSS %s%n",
                    n, maxTokens, statuses, retry, quantile(refusedIn, 0.5), quantile(refusedIn, 1), quantile(servedIn, 0.5), quantile(servedIn, 1),
                    (System.nanoTime() - t0) / 1e9, mem.peak());
        }
    }

    /**
     * CPU time the server process has used (all its threads), or NaN without --pid: tokens per server CPU-second is
     * the figure other jobs on a shared machine disturb least, since time spent waiting for a core does not count.
     */
    private double serverCpuSeconds() {
        if (pid <= 0) return Double.NaN;
        return ProcessHandle.of(pid).flatMap(h -> h.info().totalCpuDuration()).map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
    }

    private static double quantile(double[] sorted, double q) {
        if (sorted.length == 0) return Double.NaN;
        int index = (int) Math.ceil(q * sorted.length) - 1; // the nearest-rank quantile
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    /** Samples the server's resident memory (VmRSS) every 50 ms; the peak is what the level needed. */
    private static final class Memory implements AutoCloseable {
        private final AtomicLong peakKb = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread sampler;
        private final long pid;

        Memory(long pid) {
            this.pid = pid;
            sampler = Thread.ofPlatform().daemon(true).start(() -> {
                while (running.get() && pid > 0) {
                    peakKb.accumulateAndGet(rssKb(pid), Math::max);
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        String peak() {
            return pid > 0 ? String.format("%.0f MiB", peakKb.get() / 1024.0) : "n/a (no --pid)";
        }

        static long rssKb(long pid) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                    if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", ""));
                }
            } catch (IOException | NumberFormatException e) {
                return 0;
            }
            return 0;
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            sampler.join();
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ServeLoad URL MODEL [--clients 1,4,16] [--requests 2] [--max-tokens 64] [--pid PID] [--burst N]"
                    + " [--burst-max-tokens N] [--timeout 600]");
            System.exit(2);
        }
        int[] clients = {1, 4, 16};
        int requests = 2, maxTokens = 64, burst = 0, burstTokens = -1;
        long pid = 0, timeout = 600;
        for (int i = 2; i < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--clients" -> clients = Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray();
                case "--requests" -> requests = Integer.parseInt(v);
                case "--max-tokens" -> maxTokens = Integer.parseInt(v);
                case "--pid" -> pid = Long.parseLong(v);
                case "--burst" -> burst = Integer.parseInt(v);
                case "--burst-max-tokens" -> burstTokens = Integer.parseInt(v);
                case "--timeout" -> timeout = Long.parseLong(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        ServeLoad load = new ServeLoad(args[0], args[1], maxTokens, pid, timeout);
        System.out.printf("server %s, model %s, greedy, max_tokens %d, streaming; idle server RSS %s%n", args[0], args[1], maxTokens,
                pid > 0 ? String.format("%.0f MiB", Memory.rssKb(pid) / 1024.0) : "n/a");
        for (int c : clients) load.level(c, requests);
        if (burst > 0) {
            if (burstTokens > 0) load.maxTokens = burstTokens;
            load.burst(burst);
        }
    }
}
