package org.crs4j.crs.serve;

/** One message of a chat request: its role ({@code system}, {@code user}, {@code assistant}) and text. */
public record ChatMessage(String role, String content) {
    public ChatMessage {
        if (role == null || content == null) throw new IllegalArgumentException("a chat message needs a role and content");
    }
}
