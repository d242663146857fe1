package org.crs4j.models.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.crs4j.models.generation.Generation;
import org.crs4j.models.generation.GenerationConfig;
import org.crs4j.models.t5.T5;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Hub client and cache against {@link FakeHub} on loopback: never the real network. */
class HubTest {
    static final String ID = "crs4j-test/tiny-t5", SHARDED = "crs4j-test/tiny-t5-bf16";

    @TempDir
    Path cache;
    FakeHub server;
    final List<String> messages = new ArrayList<>();

    static Path fixture(String name) throws Exception {
        return Path.of(HubTest.class.getResource("/org/crs4j/models/t5/fixtures/" + name + "/config.json").toURI()).getParent();
    }

    @BeforeEach
    void start() throws Exception {
        server = new FakeHub();
        server.serve(ID, fixture("v1_1"));
        server.serve(SHARDED, fixture("sharded-bf16"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    Hub hub(boolean offline, String token) {
        HubSettings s = new HubSettings(cache, server.endpoint(), token, offline, false);
        return new Hub(s, new HubClient(s, 5_000, 1), DownloadProgress.NONE, messages::add);
    }

    Hub hub() {
        return hub(false, null);
    }

    @Test
    void downloadsIntoTheStandardCacheLayoutAndTheModelLoadsFromIt() throws Exception {
        Path snap = hub().model(ID);
        FakeHub.Repo repo = server.repos.get(ID);
        Path repoDir = cache.resolve("models--crs4j-test--tiny-t5");
        assertEquals(repoDir.resolve("snapshots").resolve(repo.commit), snap);
        assertEquals(repo.commit, Files.readString(repoDir.resolve("refs/main")));
        for (String f : List.of("config.json", "generation_config.json", "spiece.model", "model.safetensors")) {
            Path p = snap.resolve(f);
            assertTrue(Files.isSymbolicLink(p), f + " is a link into blobs");
            assertTrue(Files.readSymbolicLink(p).toString().startsWith("../../blobs/"), Files.readSymbolicLink(p).toString());
            assertArrayEquals(repo.files.get(f), Files.readAllBytes(p), f);
        }
        // the safetensors blob is named by its sha256, as huggingface_hub names LFS blobs
        assertTrue(Files.isRegularFile(repoDir.resolve("blobs").resolve(HubClient.sha256(snap.resolve("model.safetensors")))));
        // files the repository lacks are recorded, so that the next run need not ask
        for (String f : List.of("tokenizer.json", "tokenizer.model", "tokenizer_config.json", "special_tokens_map.json",
                "model.safetensors.index.json")) {
            assertTrue(Files.exists(repoDir.resolve(".no_exist").resolve(repo.commit).resolve(f)), f);
        }
        try (T5 t5 = T5.load(snap)) {
            JsonNode ref = new ObjectMapper().readTree(fixture("v1_1").resolve("reference.json").toFile());
            int[] prompt = ints(ref.get("prompts").get(0).get("ids"));
            int[] out = Generation.generate(t5.model(), new int[][] {prompt}, GenerationConfig.greedy(12, 1), null)[0];
            assertArrayEquals(ints(ref.get("greedy").get(0).get("ids")), out);
        }
        // a complete snapshot is used as it is: no request at all
        int before = server.log.size();
        assertEquals(snap, hub().model(ID));
        assertEquals(before, server.log.size(), "requests after the cache was complete: " + server.log.subList(before, server.log.size()));
    }

    @Test
    void progressBarsReportEachDownloadAndItsResumption() throws Exception {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        java.io.PrintStream err = new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8);
        HubSettings s = new HubSettings(cache, server.endpoint(), null, false, true);
        server.cutAfter = 1000;
        server.cuts.set(1);
        new Hub(s, new HubClient(s, 5_000, 1), DownloadProgress.bar(err), messages::add).model(ID);
        String shown = bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(shown.contains(ID + " model.safetensors") && shown.contains(ID + " config.json"), shown);
        assertTrue(messages.stream().anyMatch(m -> m.contains("downloading model.safetensors")), messages.toString());
    }

    @Test
    void shardedCheckpointsFetchTheIndexAndEveryShard() throws Exception {
        Path snap = hub().model(SHARDED);
        for (int i = 1; i <= 3; i++) assertTrue(Files.isRegularFile(snap.resolve("model-0000" + i + "-of-00003.safetensors")));
        assertEquals(0, server.count("/model.safetensors "), "no single-file request once the index exists");
        try (T5 t5 = T5.load(snap)) {
            assertEquals(org.crs4j.tensor.DType.BF16, t5.model().outputWeight().dtype());
        }
    }

    @Test
    void missingFilesAndRepositoriesAreNamed() throws Exception {
        HubException unknown = assertThrows(HubException.class, () -> hub().model("nobody/nothing"));
        assertTrue(unknown.getMessage().contains("nobody/nothing") && unknown.getMessage().contains("repository not found")
                && unknown.getMessage().contains("HF_TOKEN"), unknown.getMessage());

        FakeHub.Repo noWeights = server.serve("crs4j-test/no-weights", fixture("v1_1"));
        noWeights.files.remove("model.safetensors");
        HubException weights = assertThrows(HubException.class, () -> hub().model("crs4j-test/no-weights"));
        assertTrue(weights.getMessage().contains("no safetensors weights"), weights.getMessage());

        FakeHub.Repo noConfig = server.serve("crs4j-test/no-config", fixture("v1_1"));
        noConfig.files.remove("config.json");
        HubException config = assertThrows(HubException.class, () -> hub().model("crs4j-test/no-config"));
        assertTrue(config.getMessage().contains("has no config.json") && config.getMessage().contains("404"), config.getMessage());

        FakeHub.Repo missingShard = server.serve("crs4j-test/missing-shard", fixture("sharded-bf16"));
        missingShard.files.remove("model-00002-of-00003.safetensors");
        HubException shard = assertThrows(HubException.class, () -> hub().model("crs4j-test/missing-shard"));
        assertTrue(shard.getMessage().contains("model-00002-of-00003.safetensors"), shard.getMessage());

        HubException revision = assertThrows(HubException.class, () -> hub().model(ID, "v9"));
        assertTrue(revision.getMessage().contains("revision \"v9\" not found"), revision.getMessage());

        assertThrows(HubException.class, () -> hub().model("not-an-id"));
        assertThrows(HubException.class, () -> hub().model("a/../b"));
    }

    @Test
    void anInterruptedTransferResumesWithARangeRequest() throws Exception {
        server.cutAfter = 1000;
        server.cuts.set(1);
        Path snap = hub().model(ID);
        assertEquals(1, server.count("cdn GET /lfs/") - server.count("bytes="), "one full request");
        assertEquals(1, server.count("bytes=1000-"), "then one resumed at byte 1000: " + server.log);
        assertArrayEquals(server.repos.get(ID).files.get("model.safetensors"), Files.readAllBytes(snap.resolve("model.safetensors")));
    }

    @Test
    void aDownloadThatKeepsFailingIsResumedByTheNextRun() throws Exception {
        server.cutAfter = 1000;
        server.cuts.set(3); // every attempt of this run
        HubException e = assertThrows(HubException.class, () -> hub().model(ID));
        assertTrue(e.getMessage().contains("interrupted after 3000 of") && e.getMessage().contains("run again to resume"), e.getMessage());
        Path blobs = cache.resolve("models--crs4j-test--tiny-t5/blobs");
        Path part;
        try (var s = Files.list(blobs)) {
            part = s.filter(p -> p.toString().endsWith(".incomplete")).findFirst().orElseThrow();
        }
        assertEquals(3000, Files.size(part));
        assertFalse(Files.exists(cache.resolve("models--crs4j-test--tiny-t5/refs/main")), "no ref to an incomplete snapshot");

        Path snap = hub().model(ID); // the server is healthy again
        assertEquals(1, server.count("bytes=3000-"), "the next run starts where the last one stopped: " + server.log);
        assertFalse(Files.exists(part));
        assertArrayEquals(server.repos.get(ID).files.get("model.safetensors"), Files.readAllBytes(snap.resolve("model.safetensors")));
    }

    @Test
    void aChecksumMismatchKeepsNothing() throws Exception {
        server.corrupt = true;
        HubException e = assertThrows(HubException.class, () -> hub().model(ID));
        assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains("checksum mismatch")
                && e.getMessage().contains("expected sha256"), e.getMessage());
        Path repoDir = cache.resolve("models--crs4j-test--tiny-t5");
        try (var s = Files.list(repoDir.resolve("blobs"))) {
            List<String> names = s.map(p -> p.getFileName().toString()).toList();
            assertTrue(names.stream().noneMatch(n -> n.endsWith(".incomplete")), names.toString());
            assertFalse(names.contains(HubClient.sha256(fixture("v1_1").resolve("model.safetensors"))), names.toString());
        }
        assertFalse(Files.exists(repoDir.resolve("snapshots").resolve(server.repos.get(ID).commit).resolve("model.safetensors")));
        server.corrupt = false;
        assertTrue(Files.isRegularFile(hub().model(ID).resolve("model.safetensors")));
    }

    @Test
    void offlineModeUsesTheCacheOnly() throws Exception {
        HubException empty = assertThrows(HubException.class, () -> hub(true, null).model(ID));
        assertTrue(empty.getMessage().contains("not in the Hugging Face cache") && empty.getMessage().contains("HF_HUB_OFFLINE"), empty.getMessage());
        assertEquals(0, server.log.size(), "offline: no request");

        Path snap = hub().model(ID);
        server.log.clear();
        assertEquals(snap, hub(true, null).model(ID));
        // missing optional files are fine offline, missing weights are not
        Files.delete(cache.resolve("models--crs4j-test--tiny-t5/.no_exist").resolve(server.repos.get(ID).commit).resolve("tokenizer.json"));
        assertEquals(snap, hub(true, null).model(ID));
        Files.delete(snap.resolve("model.safetensors"));
        HubException partial = assertThrows(HubException.class, () -> hub(true, null).model(ID));
        assertTrue(partial.getMessage().contains("missing model.safetensors"), partial.getMessage());
        assertEquals(0, server.log.size(), "offline: no request");
        // online again, only what is missing is fetched (the blob is still there: just the link is remade)
        assertEquals(snap, hub().model(ID));
        assertEquals(0, server.count("cdn GET"), server.log.toString());
    }

    @Test
    void aCacheWrittenByPythonIsFoundWithoutTheNetwork() throws Exception {
        // the layout huggingface_hub leaves behind: refs/main, blobs, snapshot links
        String commit = "0123456789abcdef0123456789abcdef01234567";
        Path repoDir = cache.resolve("models--google--flan-t5-tiny");
        Path snap = repoDir.resolve("snapshots").resolve(commit);
        Files.createDirectories(snap);
        Files.createDirectories(repoDir.resolve("blobs"));
        Files.createDirectories(repoDir.resolve("refs"));
        Files.writeString(repoDir.resolve("refs/main"), commit);
        try (var files = Files.list(fixture("v1_1"))) {
            for (Path f : files.toList()) {
                String etag = HubClient.sha256(f);
                Files.copy(f, repoDir.resolve("blobs").resolve(etag));
                Files.createSymbolicLink(snap.resolve(f.getFileName()), Path.of("../../blobs", etag));
            }
        }
        // not every optional file is recorded as absent: offline, that is enough
        HubSettings s = new HubSettings(cache, URI.create("http://127.0.0.1:9"), null, true, false);
        assertEquals(snap, new Hub(s, DownloadProgress.NONE, null).model("google/flan-t5-tiny"));
        // by commit too
        assertEquals(snap, new Hub(s, DownloadProgress.NONE, null).model("google/flan-t5-tiny", commit));
        try (T5 t5 = T5.load(snap)) {
            assertEquals(3, t5.config().numDecoderLayers());
        }
    }

    @Test
    void theTokenGoesToTheHubOnlyNeverToTheCdn() throws Exception {
        FakeHub.Repo priv = server.serve("crs4j-test/private", fixture("v1_1"));
        priv.token = "hf_secret";
        HubException denied = assertThrows(HubException.class, () -> hub(false, null).model("crs4j-test/private"));
        assertTrue(denied.getMessage().contains("HF_TOKEN"), denied.getMessage());
        server.log.clear();
        hub(false, "hf_secret").model("crs4j-test/private");
        assertTrue(server.count("hub HEAD") > 0);
        synchronized (server.log) {
            for (String l : server.log) {
                if (l.startsWith("hub ")) assertTrue(l.endsWith(" auth"), "the Hub gets the token: " + l);
                if (l.startsWith("cdn ")) assertFalse(l.contains("auth"), "the CDN never sees the token: " + l);
            }
        }
        assertTrue(server.count("cdn GET") > 0);
    }

    @Test
    void tokenizerOnlyResolutionDownloadsNoWeights() throws Exception {
        Path snap = hub().tokenizer(ID, Hub.MAIN);
        assertTrue(Files.isRegularFile(snap.resolve("spiece.model")));
        assertEquals(0, server.count("safetensors"), server.log.toString());
        // only the tokenizer crs4j loads is fetched: with a tokenizer.json, no spiece.model
        FakeHub.Repo both = server.serve("crs4j-test/both-tokenizers", fixture("v1_1"));
        both.files.put("tokenizer.json", """
                {"model": {"type": "WordLevel", "vocab": {"<unk>": 0, "hello": 1}, "unk_token": "<unk>"},
                 "pre_tokenizer": {"type": "WhitespaceSplit"}}""".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Path s2 = hub().tokenizer("crs4j-test/both-tokenizers", Hub.MAIN);
        assertTrue(Files.isRegularFile(s2.resolve("tokenizer.json")));
        synchronized (server.log) {
            assertTrue(server.log.stream().noneMatch(l -> l.contains("both-tokenizers") && l.contains("spiece.model")), server.log.toString());
        }
        assertFalse(Files.exists(s2.resolve("spiece.model")));
    }

    @Test
    void settingsFollowHuggingFaceHubsEnvironment(@TempDir Path home) throws Exception {
        HubSettings d = HubSettings.fromEnvironment(Map.of(), home);
        assertEquals(home.resolve(".cache/huggingface/hub"), d.cache());
        assertEquals(URI.create("https://huggingface.co"), d.endpoint());
        assertFalse(d.offline());
        assertEquals(null, d.token());
        assertEquals(Path.of("/x/hf/hub"), HubSettings.fromEnvironment(Map.of("HF_HOME", "/x/hf"), home).cache());
        assertEquals(Path.of("/xdg/huggingface/hub"), HubSettings.fromEnvironment(Map.of("XDG_CACHE_HOME", "/xdg"), home).cache());
        assertEquals(Path.of("/c"), HubSettings.fromEnvironment(Map.of("HF_HOME", "/x/hf", "HF_HUB_CACHE", "/c"), home).cache());
        assertEquals(home.resolve("c"), HubSettings.fromEnvironment(Map.of("HF_HUB_CACHE", "~/c"), home).cache());
        assertEquals(URI.create("https://mirror.example"), HubSettings.fromEnvironment(Map.of("HF_ENDPOINT", "https://mirror.example/"), home).endpoint());
        for (String on : List.of("1", "true", "YES", "on")) assertTrue(HubSettings.fromEnvironment(Map.of("HF_HUB_OFFLINE", on), home).offline(), on);
        assertFalse(HubSettings.fromEnvironment(Map.of("HF_HUB_OFFLINE", "0"), home).offline());
        assertEquals("hf_env", HubSettings.fromEnvironment(Map.of("HF_TOKEN", "hf_env"), home).token());
        Files.createDirectories(home.resolve(".cache/huggingface"));
        Files.writeString(home.resolve(".cache/huggingface/token"), "hf_file\n");
        assertEquals("hf_file", HubSettings.fromEnvironment(Map.of(), home).token(), "huggingface-cli login's token file");
        assertEquals("hf_env", HubSettings.fromEnvironment(Map.of("HF_TOKEN", "hf_env"), home).token(), "the variable wins");
        assertFalse(HubSettings.fromEnvironment(Map.of("HF_HUB_DISABLE_PROGRESS_BARS", "1"), home).progressBars());
        assertTrue(Hub.isRepoId("google/flan-t5-large") && !Hub.isRepoId("flan-t5") && !Hub.isRepoId("a/b/c") && !Hub.isRepoId("./x"));
    }

    static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }
}
