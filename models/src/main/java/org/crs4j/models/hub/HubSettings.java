package org.crs4j.models.hub;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Where the Hugging Face Hub's cache is and how to reach the Hub, read from the environment as {@code huggingface_hub}
 * reads it, so that crs4j finds the files a Python user already downloaded:
 * <ul>
 *   <li>cache: {@code $HF_HUB_CACHE}, else {@code $HF_HOME/hub}, else {@code $XDG_CACHE_HOME/huggingface/hub}, else
 *       {@code ~/.cache/huggingface/hub};</li>
 *   <li>endpoint: {@code $HF_ENDPOINT}, else {@code https://huggingface.co};</li>
 *   <li>token (gated and private models): {@code $HF_TOKEN}, else the file {@code $HF_TOKEN_PATH}, else
 *       {@code $HF_HOME/token} (what {@code huggingface-cli login} writes);</li>
 *   <li>{@code HF_HUB_OFFLINE=1}: never touch the network, use the cache only;</li>
 *   <li>{@code HF_HUB_DISABLE_PROGRESS_BARS=1}: no progress bars.</li>
 * </ul>
 */
public record HubSettings(Path cache, URI endpoint, String token, boolean offline, boolean progressBars) {
    public static final URI DEFAULT_ENDPOINT = URI.create("https://huggingface.co");

    public HubSettings {
        if (cache == null) throw new IllegalArgumentException("no cache folder");
        if (endpoint == null) endpoint = DEFAULT_ENDPOINT;
        String e = endpoint.toString();
        if (e.endsWith("/")) endpoint = URI.create(e.substring(0, e.length() - 1));
        if (token != null && token.isBlank()) token = null;
    }

    /** From this process's environment and home folder. */
    public static HubSettings fromEnvironment() {
        return fromEnvironment(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    public static HubSettings fromEnvironment(Map<String, String> env, Path home) {
        Path hfHome = path(env, "HF_HOME", home);
        if (hfHome == null) {
            Path xdg = path(env, "XDG_CACHE_HOME", home);
            hfHome = (xdg != null ? xdg : home.resolve(".cache")).resolve("huggingface");
        }
        Path cache = path(env, "HF_HUB_CACHE", home);
        if (cache == null) cache = path(env, "HUGGINGFACE_HUB_CACHE", home); // the older name
        if (cache == null) cache = hfHome.resolve("hub");
        String endpoint = value(env, "HF_ENDPOINT");
        String token = value(env, "HF_TOKEN");
        if (token == null) token = value(env, "HUGGING_FACE_HUB_TOKEN"); // the older name
        if (token == null) {
            Path file = path(env, "HF_TOKEN_PATH", home);
            token = readToken(file != null ? file : hfHome.resolve("token"));
        }
        return new HubSettings(cache, endpoint == null ? DEFAULT_ENDPOINT : URI.create(endpoint), token,
                truthy(value(env, "HF_HUB_OFFLINE")), !truthy(value(env, "HF_HUB_DISABLE_PROGRESS_BARS")));
    }

    public HubSettings withOffline(boolean off) {
        return new HubSettings(cache, endpoint, token, off, progressBars);
    }

    public HubSettings withProgressBars(boolean on) {
        return new HubSettings(cache, endpoint, token, offline, on);
    }

    private static String value(Map<String, String> env, String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? null : v.strip();
    }

    /** A path variable, with a leading ~ expanded as Python's expanduser does. */
    private static Path path(Map<String, String> env, String name, Path home) {
        String v = value(env, name);
        if (v == null) return null;
        if (v.equals("~")) return home;
        if (v.startsWith("~/")) return home.resolve(v.substring(2));
        return Path.of(v);
    }

    /** huggingface_hub's truthy values: 1, ON, YES, TRUE (any case). */
    static boolean truthy(String v) {
        return v != null && switch (v.toUpperCase(Locale.ROOT)) {
            case "1", "ON", "YES", "TRUE" -> true;
            default -> false;
        };
    }

    private static String readToken(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.readString(file).strip() : null;
        } catch (IOException e) {
            return null; // an unreadable token file is the same as none: public models still download
        }
    }

    @Override
    public String toString() {
        return "HubSettings[cache " + cache + ", endpoint " + endpoint + ", token " + (token == null ? "none" : "set")
                + ", offline " + offline + ", progress bars " + progressBars + "]";
    }
}
