package io.github.gambiarra.spring.autoconfigure;

import io.github.gambiarra.client.GambiarraClient;
import io.github.gambiarra.client.GambiarraException;
import io.github.gambiarra.client.HubDiscovery;
import io.github.gambiarra.protocol.Target;
import java.util.Locale;

/**
 * The room the application is configured for: its code, the hub it lives on (given, or found once at
 * start-up as the SDK finds hubs), and the credentials. The beans for Spring AI and LangChain4j are
 * built from it; inject it for the room's URLs.
 */
public final class GambiarraRoom {
    private final String code;
    private final String hubUrl;
    private final String password;
    private final String route;
    private final String embeddingRoute;

    GambiarraRoom(GambiarraProperties properties) {
        String room = properties.getRoom() == null ? "" : properties.getRoom().trim();
        if (!room.matches("[A-Za-z0-9]{6}")) {
            throw new IllegalArgumentException("gambiarra.room must be a 6-character room code such as K7Q2ZD, not '"
                    + properties.getRoom() + "'");
        }
        this.code = room.toUpperCase(Locale.ROOT);
        this.password = properties.getPassword() == null || properties.getPassword().isEmpty() ? null
                : properties.getPassword();
        this.route = route("gambiarra.route", text(properties.getRoute(), "*"));
        this.embeddingRoute = route("gambiarra.embedding.route", text(properties.getEmbedding().getRoute(), route));
        if (properties.getHub() != null && !properties.getHub().isBlank()) {
            this.hubUrl = GambiarraClient.stripSlash(properties.getHub().trim());
        } else {
            try {
                this.hubUrl = HubDiscovery.standard(properties.getDiscoveryTimeout()).locate(code).url();
            } catch (GambiarraException e) {
                throw new IllegalStateException("gambiarra.room=" + code + ": " + e.getMessage()
                        + " (or set gambiarra.hub)", e);
            }
        }
    }

    /** A route as the hub reads it, or why it is none. */
    private static String route(String property, String value) {
        try {
            return Target.parse(value).wire();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(property + " must be '*', 'model:NAME' or a participant id, not '"
                    + value + "': " + e.getMessage(), e);
        }
    }

    private static String text(String value, String otherwise) {
        return value == null || value.isBlank() ? otherwise : value.trim();
    }

    /** The room code, upper-case. */
    public String code() {
        return code;
    }

    /** The hub, e.g. {@code http://192.168.1.10:3000}. */
    public String hubUrl() {
        return hubUrl;
    }

    /** The room password, or null for an open room. */
    public String password() {
        return password;
    }

    /** The OpenAI API key for the room: its password, or a placeholder for an open room (which ignores it). */
    public String apiKey() {
        return password == null ? "gambiarra" : password;
    }

    /** The chat route ({@code gambiarra.route}). */
    public String route() {
        return route;
    }

    /** The embedding route ({@code gambiarra.embedding.route}, by default the chat route). */
    public String embeddingRoute() {
        return embeddingRoute;
    }

    /** The room on the hub, {@code <hub>/rooms/<code>}: the base URL of clients that add {@code /v1} themselves. */
    public String roomUrl() {
        return hubUrl + "/rooms/" + code;
    }

    /** The room's OpenAI base URL, {@code <hub>/rooms/<code>/v1}. */
    public String openAiBaseUrl() {
        return roomUrl() + "/v1";
    }

    @Override
    public String toString() {
        return "GambiarraRoom{" + code + " on " + hubUrl + (password == null ? "" : ", protected") + "}";
    }
}
