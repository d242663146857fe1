package org.crs4j.models.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Hugging Face model ids ({@code google/flan-t5-large}) resolved to a local folder that the loaders read: the
 * snapshot folder of the standard Hub cache ({@link HubCache}, shared with Python's {@code huggingface_hub}), with
 * the files a model needs downloaded into it when they are missing.
 *
 * <p>A model needs {@code config.json}, {@code generation_config.json} (if the repository has one), the tokenizer
 * ({@code tokenizer_config.json} and {@code special_tokens_map.json} if present, then the first of
 * {@code tokenizer.json}, {@code tokenizer.model}, {@code spiece.model} that exists: the one crs4j loads), and the
 * weights: {@code model.safetensors.index.json} and every shard it lists, else {@code model.safetensors}. Nothing else
 * is fetched (no PyTorch {@code .bin}, no other formats).
 *
 * <p>When the cache already holds a complete snapshot of the revision, it is used without any network access (so
 * weights a user already has load offline, and a newer commit on the Hub is not looked for; delete
 * {@code refs/main} to update). {@code HF_HUB_OFFLINE=1} forbids the network altogether: the cache must then hold at
 * least the config and the weights.
 */
public final class Hub {
    public static final String MAIN = "main";

    private static final Pattern REPO_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9_.-]+");
    private static final List<String> TOKENIZER_FILES = List.of("tokenizer.json", "tokenizer.model", "spiece.model");
    private static final List<String> TOKENIZER_EXTRAS = List.of("tokenizer_config.json", "special_tokens_map.json");
    private static final String CONFIG = "config.json", GENERATION = "generation_config.json";
    private static final String INDEX = "model.safetensors.index.json", SINGLE = "model.safetensors";

    private final HubSettings settings;
    private final HubCache cache;
    private final HubClient client;
    private final DownloadProgress progress;
    private final Consumer<String> log;

    /** With settings from the environment, progress bars and messages on stderr. */
    public static Hub fromEnvironment() {
        HubSettings s = HubSettings.fromEnvironment();
        return new Hub(s, s.progressBars() ? DownloadProgress.bar(System.err) : DownloadProgress.NONE, System.err::println);
    }

    public Hub(HubSettings settings, DownloadProgress progress, Consumer<String> log) {
        this(settings, new HubClient(settings), progress, log);
    }

    Hub(HubSettings settings, HubClient client, DownloadProgress progress, Consumer<String> log) {
        this.settings = settings;
        this.cache = new HubCache(settings.cache());
        this.client = client;
        this.progress = progress == null ? DownloadProgress.NONE : progress;
        this.log = log == null ? s -> {} : log;
    }

    public HubSettings settings() {
        return settings;
    }

    public HubCache cache() {
        return cache;
    }

    /** Whether {@code spec} has the form of a Hub model id, ORG/NAME (a local path that exists wins over an id). */
    public static boolean isRepoId(String spec) {
        return REPO_ID.matcher(spec).matches() && !spec.contains("..") && !spec.contains("--");
    }

    /** The snapshot folder of a model at its main revision, with everything a model needs. */
    public Path model(String repoId) throws IOException {
        return model(repoId, MAIN);
    }

    /** The snapshot folder of a model at a revision (branch, tag or commit hash), with everything a model needs. */
    public Path model(String repoId, String revision) throws IOException {
        return resolve(repoId, revision, true);
    }

    /** The snapshot folder with only the tokenizer files (and config.json) of a model. */
    public Path tokenizer(String repoId, String revision) throws IOException {
        return resolve(repoId, revision, false);
    }

    private Path resolve(String repoId, String revision, boolean weights) throws IOException {
        if (!isRepoId(repoId)) throw new HubException("\"" + repoId + "\" is not a Hugging Face model id (ORG/NAME)");
        if (revision == null || revision.isBlank() || revision.contains("..")) throw new HubException(repoId + ": bad revision \"" + revision + "\"");
        String commit = cache.commit(repoId, revision).orElse(null);
        if (commit != null) {
            Path snap = cache.snapshot(repoId, commit);
            List<String> missing = new ArrayList<>();
            boolean complete = cachedComplete(repoId, commit, weights, missing);
            if (complete || (settings.offline() && missing.isEmpty())) return snap;
            if (settings.offline()) {
                throw new HubException(repoId + " (revision " + revision + ") is incomplete in the cache " + snap + ": missing "
                        + String.join(", ", missing) + "; HF_HUB_OFFLINE is set, so nothing is downloaded");
            }
        } else if (settings.offline()) {
            throw new HubException(repoId + " (revision " + revision + ") is not in the Hugging Face cache " + cache.repo(repoId)
                    + "; HF_HUB_OFFLINE is set, so nothing is downloaded");
        }
        Fetch f = new Fetch(repoId, revision);
        f.get(CONFIG, weights);
        f.get(GENERATION, false);
        for (String extra : TOKENIZER_EXTRAS) f.get(extra, false);
        for (String tok : TOKENIZER_FILES) if (f.get(tok, false) != null) break;
        if (weights) {
            Path index = f.get(INDEX, false);
            if (index != null) {
                for (String shard : shards(index, repoId)) f.get(shard, true);
            } else if (f.get(SINGLE, false) == null) {
                throw new HubException(repoId + " (revision " + revision + ") has no safetensors weights (" + SINGLE + " or " + INDEX
                        + "); crs4j reads safetensors only");
            }
        }
        if (f.commit == null) throw new HubException(repoId + " (revision " + revision + "): none of the model's files were found");
        cache.setRef(repoId, revision, f.commit);
        return cache.snapshot(repoId, f.commit);
    }

    /**
     * Whether the cached snapshot holds everything (required files present, optional ones present or known absent);
     * {@code missing} receives the required files it lacks.
     */
    private boolean cachedComplete(String repoId, String commit, boolean weights, List<String> missing) throws IOException {
        Path snap = cache.snapshot(repoId, commit);
        boolean complete = true;
        if (weights && !Files.isRegularFile(snap.resolve(CONFIG))) missing.add(CONFIG);
        for (String f : List.of(GENERATION, TOKENIZER_EXTRAS.get(0), TOKENIZER_EXTRAS.get(1), CONFIG)) {
            complete &= Files.isRegularFile(snap.resolve(f)) || cache.knownMissing(repoId, commit, f);
        }
        boolean tokenizer = false;
        for (String t : TOKENIZER_FILES) {
            if (Files.isRegularFile(snap.resolve(t))) {
                tokenizer = true;
                break;
            }
            if (!cache.knownMissing(repoId, commit, t)) break; // not known either way: ask the Hub
        }
        complete &= tokenizer || TOKENIZER_FILES.stream().allMatch(t -> cache.knownMissing(repoId, commit, t));
        if (weights) {
            if (Files.isRegularFile(snap.resolve(INDEX))) {
                for (String shard : shards(snap.resolve(INDEX), repoId)) {
                    if (!Files.isRegularFile(snap.resolve(shard))) missing.add(shard);
                }
            } else if (!Files.isRegularFile(snap.resolve(SINGLE))) {
                missing.add(SINGLE);
            }
            complete &= Files.isRegularFile(snap.resolve(INDEX)) || cache.knownMissing(repoId, commit, INDEX);
        }
        return complete && missing.isEmpty();
    }

    /** The shard files a sharded index lists, each once, checked to stay inside the snapshot. */
    private static Set<String> shards(Path index, String repoId) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(index.toFile());
        } catch (IOException e) {
            throw new HubException(repoId + ": " + index + " is not valid JSON: " + e.getMessage(), e);
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject() || map.isEmpty()) throw new HubException(repoId + ": " + index + " has no weight_map");
        Set<String> files = new LinkedHashSet<>();
        for (Iterator<JsonNode> it = map.elements(); it.hasNext(); ) {
            JsonNode v = it.next();
            String s = v.isTextual() ? v.asText() : "";
            if (s.isEmpty() || s.startsWith("/") || s.contains("..") || s.contains("\\")) {
                throw new HubException(repoId + ": " + index + " names a bad shard file \"" + v + "\"");
            }
            files.add(s);
        }
        return files;
    }

    /** One resolution against the Hub: the first file found fixes the commit, the rest are fetched at that commit. */
    private final class Fetch {
        final String repoId, revision;
        String commit;

        Fetch(String repoId, String revision) {
            this.repoId = repoId;
            this.revision = revision;
        }

        /** The file in the snapshot, downloaded if needed; null when the repository has none (required: an error). */
        Path get(String file, boolean required) throws IOException {
            if (commit != null) {
                Path have = cache.snapshot(repoId, commit).resolve(file);
                if (Files.isRegularFile(have)) return have;
                if (!required && cache.knownMissing(repoId, commit, file)) return null;
            }
            HubClient.Metadata m = client.head(repoId, commit != null ? commit : revision, file);
            if (m == null) {
                if (commit != null) cache.markMissing(repoId, commit, file);
                if (required) throw new HubException(repoId + " (revision " + revision + ") has no " + file + " (HTTP 404)");
                return null;
            }
            if (commit == null) {
                if (m.commit() == null || !HubCache.isCommit(m.commit())) {
                    throw new HubException(repoId + " " + file + ": the server did not say which commit it serves (no X-Repo-Commit);"
                            + " " + settings.endpoint() + " does not look like a Hugging Face Hub (check HF_ENDPOINT)");
                }
                commit = m.commit();
            }
            Path snapFile = cache.snapshot(repoId, commit).resolve(file);
            if (Files.isRegularFile(snapFile)) return snapFile;
            Path blob = cache.blob(repoId, m.etag());
            if (!Files.isRegularFile(blob)) download(m, blob);
            return cache.link(repoId, commit, file, m.etag());
        }

        private void download(HubClient.Metadata m, Path blob) throws IOException {
            Files.createDirectories(blob.getParent());
            // huggingface_hub's lock file, so that it and crs4j never write the same blob at once
            Path lockFile = cache.root().resolve(".locks").resolve(HubCache.folderName(repoId)).resolve(m.etag() + ".lock");
            Files.createDirectories(lockFile.getParent());
            try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock lock = ch.lock()) {
                if (Files.isRegularFile(blob)) return; // another process finished it while we waited
                Path part = blob.resolveSibling(blob.getFileName() + ".incomplete");
                long have = Files.isRegularFile(part) ? Files.size(part) : 0;
                if (m.size() > 0) {
                    long free = Files.getFileStore(blob.getParent()).getUsableSpace();
                    if (free < m.size() - have) {
                        throw new HubException(repoId + " " + m.file() + ": needs " + (m.size() - have) + " more bytes, "
                                + blob.getParent() + " has " + free + " free");
                    }
                }
                log.accept(repoId + ": " + (have > 0 ? "resuming " + m.file() + " at byte " + have : "downloading " + m.file())
                        + (m.size() >= 0 ? " (" + m.size() + " bytes)" : "") + " into " + cache.repo(repoId));
                client.download(m, part, repoId + " " + m.file(), progress);
                try {
                    Files.move(part, blob, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(part, blob, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
