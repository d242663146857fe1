package org.crs4j.models.hub;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.crs4j.tensor.io.AtomicFiles;

/**
 * The Hugging Face Hub cache layout ({@code huggingface_hub}'s, shared with Python users):
 * <pre>
 *   CACHE/models--ORG--NAME/
 *     refs/main                      the commit hash a revision points to
 *     blobs/ETAG                     file contents, named by their ETag (the sha256 of LFS files)
 *     snapshots/COMMIT/FILE          relative symbolic links into blobs (copies where links are not possible)
 *     .no_exist/COMMIT/FILE          empty markers: the repository has no such file at that commit
 * </pre>
 * Everything is written so that a crash never leaves a half file under its final name: blobs are downloaded as
 * {@code ETAG.incomplete} and renamed, links and refs are created under temporary names and renamed.
 */
public final class HubCache {
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

    private final Path root;

    public HubCache(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** {@code models--ORG--NAME}. */
    public static String folderName(String repoId) {
        return "models--" + repoId.replace("/", "--");
    }

    public Path repo(String repoId) {
        return root.resolve(folderName(repoId));
    }

    public static boolean isCommit(String revision) {
        return COMMIT.matcher(revision).matches();
    }

    /** The commit a revision names: itself when it is a commit hash, else what refs/REVISION holds. */
    public Optional<String> commit(String repoId, String revision) throws IOException {
        if (isCommit(revision)) return Optional.of(revision);
        Path ref = repo(repoId).resolve("refs").resolve(revision);
        if (!Files.isRegularFile(ref)) return Optional.empty();
        String commit = Files.readString(ref, StandardCharsets.UTF_8).strip();
        return isCommit(commit) ? Optional.of(commit) : Optional.empty();
    }

    /** Points refs/REVISION at a commit (a no-op for a revision that is itself a commit). */
    public void setRef(String repoId, String revision, String commit) throws IOException {
        if (isCommit(revision)) return;
        Path ref = repo(repoId).resolve("refs").resolve(revision);
        Files.createDirectories(ref.getParent());
        byte[] bytes = commit.getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(ref, ch -> ch.write(java.nio.ByteBuffer.wrap(bytes)));
    }

    public Path snapshot(String repoId, String commit) {
        return repo(repoId).resolve("snapshots").resolve(commit);
    }

    public Path blob(String repoId, String etag) {
        return repo(repoId).resolve("blobs").resolve(etag);
    }

    /** Whether a file is recorded as absent from the repository at that commit. */
    public boolean knownMissing(String repoId, String commit, String file) {
        return Files.exists(repo(repoId).resolve(".no_exist").resolve(commit).resolve(file));
    }

    public void markMissing(String repoId, String commit, String file) throws IOException {
        Path marker = repo(repoId).resolve(".no_exist").resolve(commit).resolve(file);
        Files.createDirectories(marker.getParent());
        if (!Files.exists(marker)) Files.createFile(marker);
    }

    /**
     * Makes snapshots/COMMIT/FILE point at blobs/ETAG: a relative symbolic link, or a copy where the file system has
     * no links. Replaces an existing entry atomically.
     */
    public Path link(String repoId, String commit, String file, String etag) throws IOException {
        Path target = snapshot(repoId, commit).resolve(file);
        Path blob = blob(repoId, etag);
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling("." + target.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
            try {
                Files.createSymbolicLink(tmp, target.getParent().relativize(blob));
            } catch (UnsupportedOperationException | FileSystemException e) {
                Files.copy(blob, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        return target;
    }
}
