package io.github.gambiarra.hub.internal.routing;

import io.github.gambiarra.protocol.OpenAiRoute;

/**
 * What routing knows of a request before it is sent: what it costs to read and to answer, and
 * which participant holds its conversation.
 *
 * @param api          the OpenAI API it is for
 * @param promptBytes  the size of its body (what the participant reads before its first token)
 * @param maxTokens    its {@code max_tokens} (or the API's equivalent), 0 when it sets none
 * @param preferred    the participant that served its conversation so far (affinity), or null
 * @param cachedBytes  of {@code promptBytes}, how many that participant has already computed
 * @param queuedAhead  requests of the room waiting ahead of it
 * @param nowMillis    the hub clock's time
 */
public record Ask(OpenAiRoute api, long promptBytes, long maxTokens, String preferred, long cachedBytes,
                  int queuedAhead, long nowMillis) {

    /** A chat request of {@code promptBytes}, with nothing else known (tests, tools). */
    public static Ask chat(long promptBytes, long nowMillis) {
        return new Ask(OpenAiRoute.CHAT, promptBytes, 0, null, 0, 0, nowMillis);
    }

    /** This request, held by {@code participant} up to {@code cached} bytes. */
    public Ask preferring(String participant, long cached) {
        return new Ask(api, promptBytes, maxTokens, participant, cached, queuedAhead, nowMillis);
    }

    /** This request with {@code ahead} requests queued before it. */
    public Ask behind(int ahead) {
        return new Ask(api, promptBytes, maxTokens, preferred, cachedBytes, ahead, nowMillis);
    }

    /** Whether the answer is generated token by token (not embeddings). */
    public boolean generates() {
        return api != OpenAiRoute.EMBEDDINGS;
    }
}
