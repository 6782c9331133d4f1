package io.github.gambiarra.protocol;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The OpenAI APIs a room relays, each at its path under {@code /rooms/{code}} and at the same path
 * on a participant's server. A participant says which it serves by their wire names in its join
 * ({@code "apis": ["chat", "embeddings"]}); hub-api.md, "Who serves what", has the rules.
 */
public enum OpenAiRoute {
    /** {@code POST /v1/chat/completions}: every participant serves it. */
    CHAT("chat", "/v1/chat/completions"),
    /** {@code POST /v1/completions}: text completion, blocking or streamed. */
    COMPLETIONS("completions", "/v1/completions"),
    /** {@code POST /v1/embeddings}. */
    EMBEDDINGS("embeddings", "/v1/embeddings"),
    /** {@code POST /v1/responses}: the Responses API, blocking or streamed as typed events. */
    RESPONSES("responses", "/v1/responses");

    private final String wire;
    private final String path;

    OpenAiRoute(String wire, String path) {
        this.wire = wire;
        this.path = path;
    }

    /** The name in a join's {@code apis} and in {@code llm:complete}'s {@code api}, e.g. {@code embeddings}. */
    @JsonValue
    public String wire() {
        return wire;
    }

    /** The path, e.g. {@code /v1/embeddings}. */
    public String path() {
        return path;
    }

    /** The route with this wire name (case-insensitive), or null for a name this version does not know. */
    public static OpenAiRoute ofWire(String name) {
        if (name == null) {
            return null;
        }
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (OpenAiRoute r : values()) {
            if (r.wire.equals(n)) {
                return r;
            }
        }
        return null;
    }

    /** The route served at {@code path} (e.g. {@code /v1/embeddings}), or null. */
    public static OpenAiRoute ofPath(String path) {
        for (OpenAiRoute r : values()) {
            if (r.path.equals(path)) {
                return r;
            }
        }
        return null;
    }

    /** The routes named, ignoring names this version does not know; null for null (not said). */
    public static Set<OpenAiRoute> fromWire(Collection<String> names) {
        if (names == null) {
            return null;
        }
        Set<OpenAiRoute> routes = EnumSet.noneOf(OpenAiRoute.class);
        for (String name : names) {
            OpenAiRoute r = ofWire(name);
            if (r != null) {
                routes.add(r);
            }
        }
        return routes;
    }

    /** The wire names of {@code routes}, in declaration order; null for null. */
    public static List<String> toWire(Collection<OpenAiRoute> routes) {
        if (routes == null) {
            return null;
        }
        List<String> names = new ArrayList<>();
        for (OpenAiRoute r : values()) {
            if (routes.contains(r)) {
                names.add(r.wire);
            }
        }
        return names;
    }
}
