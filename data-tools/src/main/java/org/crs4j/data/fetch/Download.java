package org.crs4j.data.fetch;

import java.net.URI;

/**
 * One file to fetch.
 *
 * @param url       where the official release keeps it
 * @param target    path under the data directory ("opendialkg/opendialkg_relations.txt")
 * @param sha256    the expected SHA-256 in hex, or null where no checksum is published and no copy was at hand to
 *                  compute one (the computed hash is then printed and stored next to the file, so later runs can tell
 *                  whether a re-download changed)
 * @param unzipTo   folder under the data directory to unpack the file into when it is a zip, or null
 */
public record Download(URI url, String target, String sha256, String unzipTo) {
    public Download {
        if (target.startsWith("/") || target.contains("..")) throw new IllegalArgumentException("target must be relative: " + target);
        if (sha256 != null && !sha256.matches("[0-9a-f]{64}")) throw new IllegalArgumentException("bad sha256 for " + target);
    }

    public static Download of(String url, String target, String sha256) { return new Download(URI.create(url), target, sha256, null); }

    public Download unzippedTo(String dir) { return new Download(url, target, sha256, dir); }
}
