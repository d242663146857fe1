package org.crs4j.crs.serve;

/**
 * One endpoint of the {@link ApiServer}: reads its request from the exchange and writes its response (JSON or a
 * server-sent event stream). Throwing an {@link ApiError} answers with OpenAI's error JSON; the server has already
 * checked the API key. New endpoints (the CRS turn, the chat page) plug in as routes.
 */
@FunctionalInterface
public interface Route {
    void handle(Exchange exchange) throws Exception;
}
