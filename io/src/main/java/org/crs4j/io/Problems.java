package org.crs4j.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.zip.ZipException;

/**
 * The one place that turns a failure of the file system, the network or a parser into words a user can act on. Every
 * reader (configs, tokenizers, checkpoints, datasets, caches, downloads) puts its file and location in front of
 * {@link #reason}: Java's own messages are often empty ({@code ConnectException}), {@code "null"} (an empty gzip
 * file), name only the class, or lack the position (Jackson's nesting limit), and never all say what happened.
 */
public final class Problems {
    private Problems() {}

    /** What went wrong, without the file name, never empty and on one line. */
    public static String reason(Throwable e) {
        if (e instanceof UncheckedIOException u && u.getCause() != null) return reason(u.getCause());
        if (e instanceof FileFormatException) return oneLine(e.getMessage());
        if (e instanceof JacksonException j) return json(j);
        if (e instanceof CharacterCodingException) return "invalid UTF-8";
        if (e instanceof ZipException || e instanceof EOFException) return gzip(e);
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof NoSuchFileException n) return n.getReason() != null ? n.getReason() : "no such file or folder";
        if (e instanceof NotDirectoryException) return "not a folder";
        if (e instanceof FileAlreadyExistsException) return "already exists (a file stands where a folder is needed?)";
        if (e instanceof DirectoryNotEmptyException) return "folder not empty";
        if (e instanceof FileSystemException f) return f.getReason() != null ? oneLine(f.getReason()) : "file system error";
        String msg = e.getMessage();
        boolean ownWords = msg != null && !msg.isBlank() && !msg.equals("null");
        // Java's network exceptions say little ("Connection refused", or nothing); a caller's wrapper says more
        boolean networkType = e instanceof java.net.SocketException || e instanceof UnknownHostException
                || e instanceof HttpTimeoutException || e instanceof SocketTimeoutException;
        if (networkType || !ownWords) {
            String network = network(e);
            if (network != null) return network;
        }
        if (ownWords) return oneLine(msg);
        if (e.getCause() != null && e.getCause() != e) return reason(e.getCause());
        return words(e.getClass().getSimpleName());
    }

    /** {@code file: reason}, without naming the file twice when the failure already does. */
    public static String describe(Path file, Throwable e) {
        if (e instanceof UncheckedIOException u && u.getCause() != null) return describe(file, u.getCause());
        if (e instanceof FileFormatException f && f.file() != null) return oneLine(f.getMessage());
        if (e instanceof FileSystemException f && f.getFile() != null && !f.getFile().equals(String.valueOf(file))) {
            return file + ": " + f.getFile() + ": " + reason(e);
        }
        return file + ": " + reason(e);
    }

    /** Jackson's problem with the position it happened at; its nesting and size limits get their own words. */
    private static String json(JacksonException e) {
        String msg = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        if (e instanceof StreamConstraintsException) {
            return "JSON exceeds a reader limit: " + oneLine(msg.replaceAll(",? ?\\(?from `[^`]*`\\)?", "").replace("((", "("));
        }
        String what;
        if (msg.startsWith("No content to map due to end-of-input")) return "empty file, expected JSON";
        else if (msg.startsWith("Trailing token")) what = "content after the end of the top-level JSON value";
        else what = oneLine(msg);
        JsonLocation at = e.getLocation();
        String where = at == null || at.getLineNr() <= 0 ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
        return "invalid JSON: " + what + where;
    }

    /** Compressed data (gzip, zip) that ends early or does not decode; Java reports an empty gzip as {@code null}. */
    private static String gzip(Throwable e) {
        String msg = e.getMessage();
        if (msg == null || msg.isBlank()) return "the data ends early";
        if (msg.equals("Not in GZIP format")) return "not gzip data (no gzip header)";
        if (e instanceof EOFException) return "the data ends early (" + oneLine(msg) + ")";
        return "corrupt compressed data (" + oneLine(msg) + ")";
    }

    private static String network(Throwable e) {
        // the most specific cause first: Java's HttpClient reports an unknown host as a ConnectException around it
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
                return "host not found (no network, or no DNS for it)" + (t.getMessage() == null ? "" : ": " + t.getMessage());
            }
        }
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof HttpConnectTimeoutException) return "connection timed out";
            if (t instanceof ConnectException) return "connection refused or network unreachable";
            if (t instanceof NoRouteToHostException) return "no route to host";
            if (t instanceof HttpTimeoutException || t instanceof SocketTimeoutException) return "timed out";
        }
        return null;
    }

    /** "SSLHandshakeException" as "SSL handshake exception". */
    private static String words(String className) {
        String spaced = className.replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(java.util.Locale.ROOT);
        return spaced.isEmpty() ? "unknown failure" : spaced;
    }

    /** Line breaks and tabs become spaces, so that a message never spills onto a second line. */
    public static String oneLine(String s) {
        if (s == null) return "";
        return s.replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ').replace('\t', ' ').strip();
    }

    /** Convenience for IO code that must rethrow unchecked: an {@link UncheckedIOException} naming the file. */
    public static UncheckedIOException unchecked(Path file, IOException e) {
        return new UncheckedIOException(describe(file, e), e);
    }
}
