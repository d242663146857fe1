package org.crs4j.crs.controller;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * (prompt, target) pairs as JSON Lines, one object per line: {@code {"prompt": "...", "target": "..."}} (other fields
 * are ignored; blank lines are skipped; {@code .gz} files are read through gzip). The format in which LLMCRS's stage
 * prompts and their targets reach the supervised trainer, and what {@code crs4j train controller --pairs} reads.
 * Every error names the file and the line.
 */
public final class PairsFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PairsFile() {}

    /** @throws IOException naming the file and line of the first malformed record; an empty target is one */
    public static List<Pair> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "no such pairs file");
        List<Pair> pairs = new ArrayList<>();
        var in = Files.newInputStream(file);
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                file.toString().endsWith(".gz") ? new GZIPInputStream(in) : in, StandardCharsets.UTF_8))) {
            String line;
            int no = 0;
            while ((line = r.readLine()) != null) {
                no++;
                if (line.isBlank()) continue;
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (JacksonException e) {
                    throw new IOException(file + ": line " + no + ": not JSON: " + e.getOriginalMessage());
                }
                if (node == null || !node.isObject()) throw new IOException(file + ": line " + no + ": expected a JSON object");
                String prompt = text(file, no, node, "prompt"), target = text(file, no, node, "target");
                if (target.isBlank()) throw new IOException(file + ": line " + no + ": \"target\" is empty: a pair without a response teaches nothing");
                pairs.add(new Pair(prompt, target));
            }
        }
        if (pairs.isEmpty()) throw new IOException(file + ": no pairs (expected JSON Lines {\"prompt\": ..., \"target\": ...})");
        return pairs;
    }

    private static String text(Path file, int no, JsonNode node, String field) throws IOException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) throw new IOException(file + ": line " + no + ": \"" + field + "\" is missing");
        if (!v.isTextual()) throw new IOException(file + ": line " + no + ": \"" + field + "\" must be a string, found " + v.getNodeType());
        return v.asText();
    }

    /** SHA-256 over the pairs' texts: a resumed run checks it trains on the same data. */
    public static String fingerprint(List<Pair> pairs) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Pair p : pairs) {
                md.update(p.prompt().getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
                md.update(p.target().getBytes(StandardCharsets.UTF_8));
                md.update((byte) 1);
            }
            return HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
