package org.crs4j.crs.serve;

/**
 * A request the server refuses or could not complete, as OpenAI reports it: an HTTP status and the error object
 * {@code {"error": {"message", "type", "param", "code"}}}. Thrown anywhere between reading the body and starting the
 * generation; the HTTP layer turns it into the response (or, once a stream has started, into a final SSE event).
 */
public final class ApiError extends RuntimeException {
    private final int status;
    private final String type;
    private final String param;
    private final String code;
    private final Integer retryAfterSeconds;

    private ApiError(int status, String type, String param, String code, String message, Integer retryAfterSeconds) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** 400: the request is malformed or asks for something this server does not do; {@code param} names the field. */
    public static ApiError invalid(String param, String message) {
        return new ApiError(400, "invalid_request_error", param, null, message, null);
    }

    /** 400 with OpenAI's code for a prompt plus max_tokens beyond the model's context. */
    public static ApiError contextLength(String param, String message) {
        return new ApiError(400, "invalid_request_error", param, "context_length_exceeded", message, null);
    }

    public static ApiError unauthorized(String message) {
        return new ApiError(401, "invalid_request_error", null, "invalid_api_key", message, null);
    }

    public static ApiError modelNotFound(String model, String message) {
        return new ApiError(404, "invalid_request_error", "model", "model_not_found", message, null);
    }

    public static ApiError notFound(String message) {
        return new ApiError(404, "invalid_request_error", null, "not_found", message, null);
    }

    public static ApiError methodNotAllowed(String message) {
        return new ApiError(405, "invalid_request_error", null, "method_not_allowed", message, null);
    }

    public static ApiError tooLarge(String message) {
        return new ApiError(413, "invalid_request_error", null, "request_too_large", message, null);
    }

    /** 429: every generation slot and queue place is taken; the client should retry after the given seconds. */
    public static ApiError busy(int retryAfterSeconds, String message) {
        return new ApiError(429, "server_busy", null, "rate_limit_exceeded", message, retryAfterSeconds);
    }

    /** 504: the generation ran past the server's per-request time limit. */
    public static ApiError timeout(String message) {
        return new ApiError(504, "timeout", null, "timeout", message, null);
    }

    public static ApiError unavailable(String message) {
        return new ApiError(503, "server_error", null, "unavailable", message, null);
    }

    public static ApiError internal(String message) {
        return new ApiError(500, "server_error", null, "internal_error", message, null);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String param() {
        return param;
    }

    public String code() {
        return code;
    }

    /** Seconds for the {@code Retry-After} header, or null. */
    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
