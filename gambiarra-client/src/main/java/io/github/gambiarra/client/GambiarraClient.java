package io.github.gambiarra.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.github.gambiarra.client.internal.HubErrors;
import io.github.gambiarra.client.internal.Http;
import io.github.gambiarra.protocol.ErrorCode;
import io.github.gambiarra.protocol.GambiarraJson;
import io.github.gambiarra.protocol.Messages;
import io.github.gambiarra.protocol.Participant;
import io.github.gambiarra.protocol.RoomSummary;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okhttp3.sse.EventSource;
import okhttp3.sse.EventSourceListener;
import okhttp3.sse.EventSources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client for a Gambiarra hub: rooms, participants, joining and room events. It has no
 * LangChain4j in it; the LangChain4j provider ({@code gambiarra-langchain4j}) and the
 * {@code gambiarra} CLI are built on it.
 *
 * <pre>{@code
 * GambiarraClient hub = GambiarraClient.create("http://192.168.1.10:3000");
 * String code = hub.createRoom("Team", null).room().code();
 * try (ParticipantSession me = hub.join(code, JoinOptions.builder()
 *         .nickname("joao").model("llama3").endpoint("http://localhost:11434").build())) {
 *     // the model is shared while the session is open
 * }
 * }</pre>
 *
 * Errors are {@link GambiarraException}s, one subclass per kind of error code the hub answers.
 * Instances are thread-safe; share one per hub. All of them share one OkHttp connection pool.
 */
public final class GambiarraClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GambiarraClient.class);
    private static final MediaType JSON = MediaType.get("application/json");

    private final String hubUrl;
    private final String password;
    private final String createPassword;
    private final OkHttpClient http;
    private final OkHttpClient streaming;

    private GambiarraClient(Builder builder) {
        this.hubUrl = withScheme(stripSlash(Objects.requireNonNull(builder.hubUrl, "hubUrl")));
        if (HttpUrl.parse(hubUrl) == null) {
            throw new IllegalArgumentException("not an http(s) URL: " + builder.hubUrl
                    + " (write the hub as http://HOST:PORT, e.g. http://192.168.1.10:3000)");
        }
        this.password = builder.password;
        this.createPassword = builder.createPassword;
        OkHttpClient base = builder.httpClient != null ? builder.httpClient : Http.shared();
        this.http = base.newBuilder()
                .connectTimeout(builder.connectTimeout)
                .readTimeout(builder.timeout)
                .build();
        this.streaming = http.newBuilder().readTimeout(Duration.ZERO).build();
    }

    /** A client for the hub at {@code hubUrl}, e.g. {@code http://localhost:3000}. */
    public static GambiarraClient create(String hubUrl) {
        return builder().hubUrl(hubUrl).build();
    }

    /** A builder for a client with its own timeouts, a room password or an OkHttp client of yours. */
    public static Builder builder() {
        return new Builder();
    }

    /** The hub's base URL, without a trailing slash. */
    public String hubUrl() {
        return hubUrl;
    }

    /** The OkHttp client this client calls the hub with (for code that needs the same timeouts and TLS). */
    public OkHttpClient httpClient() {
        return http;
    }

    /** {@code GET /health}: throws if the hub does not answer. */
    public Messages.HubHealth health() {
        return call(get("/health"), Messages.HubHealth.class, null, null);
    }

    /**
     * Creates a room; {@code password} null or empty makes it open. The answer's {@code hostToken}
     * deletes the room: keep it. On a hub that restricts creation, the builder's
     * {@link Builder#createPassword} is sent.
     */
    public Messages.CreateRoomResponse createRoom(String name, String password) {
        return call(post("/rooms", new Messages.CreateRoomRequest(name,
                password == null || password.isEmpty() ? null : password)), Messages.CreateRoomResponse.class, null,
                createPassword);
    }

    /** Deletes a room, with the host token the answer that created it carried. */
    public void deleteRoom(String roomCode, String hostToken) {
        call(new Request.Builder().url(hubUrl + roomPath(roomCode, "")).delete(), Messages.Success.class, roomCode,
                hostToken);
    }

    /** Every room on the hub, with participant counts. */
    public List<RoomSummary> listRooms() {
        return call(get("/rooms"), Messages.RoomList.class, null, null).rooms();
    }

    /** The participants of a room, offline ones included. */
    public List<Participant> listParticipants(String roomCode) {
        return call(get(roomPath(roomCode, "/participants")), Messages.ParticipantList.class, roomCode, null)
                .participants();
    }

    /** The room's online participants as an OpenAI model list. */
    public List<Messages.ModelEntry> listModels(String roomCode) {
        return call(get(roomPath(roomCode, "/v1/models")), Messages.ModelList.class, roomCode, null).data();
    }

    /**
     * Joins a room and keeps the registration alive with health checks until the returned
     * session is closed (or the JVM stops: see {@link JoinOptions.Builder#leaveOnShutdown}). This is
     * how a Java program shares a local model.
     */
    public ParticipantSession join(String roomCode, JoinOptions options) {
        ParticipantSession session = new ParticipantSession(this, roomCode, options);
        session.start();
        return session;
    }

    /** One join call, no heartbeats: prefer {@link #join}. */
    public Messages.JoinResponse register(String roomCode, Messages.JoinRequest request) {
        return call(post(roomPath(roomCode, "/join"), request), Messages.JoinResponse.class, roomCode, null);
    }

    /**
     * One health check for a participant, with the token its join answer carried; false if the hub
     * no longer knows it (it must re-join).
     */
    public boolean heartbeat(String roomCode, String participantId, String token) {
        try {
            call(post(roomPath(roomCode, "/health"), new Messages.HealthRequest(participantId)), Messages.Success.class,
                    roomCode, token);
            return true;
        } catch (GambiarraException.RoomNotFoundException | GambiarraException.ParticipantNotFoundException gone) {
            return false;
        }
    }

    /** Removes a participant from a room, with the token its join answer carried. */
    public void leave(String roomCode, String participantId, String token) {
        call(new Request.Builder().url(hubUrl + roomPath(roomCode, "/leave/" + encode(participantId))).delete(),
                Messages.Success.class, roomCode, token);
    }

    /**
     * Subscribes to a room's events, each read into its protocol record (see {@link RoomEvent}).
     * The listener is called on an OkHttp thread; close the subscription to stop. It does not
     * reconnect by itself: {@link RoomEventListener#onClosed} says when the stream ended.
     */
    public EventSubscription events(String roomCode, RoomEventListener listener) {
        Request request = withAuth(new Request.Builder().url(hubUrl + roomPath(roomCode, "/events"))
                .header("Accept", "text/event-stream"), null).build();
        HubErrors.Call where = HubErrors.Call.room(hubUrl, roomCode);
        EventSource source = EventSources.createFactory(streaming).newEventSource(request, new EventSourceListener() {
            @Override
            public void onOpen(EventSource eventSource, Response response) {
                listener.onOpen();
            }

            @Override
            public void onEvent(EventSource eventSource, String id, String type, String data) {
                RoomEvent event = read(type == null ? "message" : type, data);
                if (event != null) {
                    listener.onEvent(event);
                }
            }

            @Override
            public void onClosed(EventSource eventSource) {
                listener.onClosed(null);
            }

            @Override
            public void onFailure(EventSource eventSource, Throwable t, Response response) {
                GambiarraException error;
                if (response != null && !response.isSuccessful()) {
                    String body = "";
                    try (ResponseBody rb = response.body()) {
                        body = rb == null ? "" : rb.string();
                    } catch (IOException ignored) {
                        // keep the empty body
                    }
                    error = HubErrors.fromResponse(response.code(), body, response.header("Retry-After"), where,
                            ErrorCode.ROOM_NOT_FOUND, t);
                } else if (t == null) {
                    error = null;
                } else {
                    GambiarraException connection = HubErrors.connectionFailure(hubUrl, t);
                    error = connection != null ? connection
                            : new GambiarraException("event stream of room " + roomCode + " broke: " + t.getMessage(), t);
                }
                listener.onClosed(error);
            }
        });
        return source::cancel;
    }

    /** Reads one event into its record; null (and a warning) when the data does not fit the record. */
    private static RoomEvent read(String name, String data) {
        try {
            return RoomEvent.read(name, data);
        } catch (IllegalArgumentException e) {
            LOG.warn("ignoring an event: {}", e.getMessage());
            return null;
        }
    }

    /** Nothing to release: connections belong to the shared pool, which closes idle ones by itself. */
    @Override
    public void close() {
        // Kept AutoCloseable so that callers can scope a client; a client of the caller's own
        // OkHttpClient leaves that client alone.
    }

    // ---- plumbing ----------------------------------------------------------------------------

    private Request.Builder get(String path) {
        return new Request.Builder().url(hubUrl + path).get();
    }

    private Request.Builder post(String path, Object body) {
        try {
            return new Request.Builder().url(hubUrl + path)
                    .post(RequestBody.create(GambiarraJson.mapper().writeValueAsBytes(body), JSON));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode request body", e);
        }
    }

    /**
     * The Bearer credential: a participant's own calls carry its token, everything else the room
     * password (if there is one).
     */
    private Request.Builder withAuth(Request.Builder request, String token) {
        String credential = token != null && !token.isEmpty() ? token : password;
        if (credential != null && !credential.isEmpty()) {
            request.header("Authorization", "Bearer " + credential);
        }
        return request;
    }

    private <T> T call(Request.Builder request, Class<T> type, String roomCode, String token) {
        Response response;
        try {
            response = http.newCall(withAuth(request, token).build()).execute();
        } catch (IOException e) {
            GambiarraException connection = HubErrors.connectionFailure(hubUrl, e);
            throw connection != null ? connection
                    : new GambiarraException("request to " + hubUrl + " failed: " + e.getMessage(), e);
        }
        try (response) {
            String body;
            try (ResponseBody rb = response.body()) {
                body = rb == null ? "" : rb.string();
            }
            if (!response.isSuccessful()) {
                throw HubErrors.fromResponse(response.code(), body, response.header("Retry-After"),
                        HubErrors.Call.room(hubUrl, roomCode), roomCode == null ? null : ErrorCode.ROOM_NOT_FOUND, null);
            }
            return GambiarraJson.mapper().readValue(body, type);
        } catch (IOException e) {
            throw new GambiarraException("unexpected answer from " + hubUrl + ": " + e.getMessage(), e);
        }
    }

    private static String roomPath(String roomCode, String rest) {
        if (roomCode == null || roomCode.isBlank()) {
            throw new IllegalArgumentException("a room code is required");
        }
        return "/rooms/" + encode(roomCode.trim()) + rest;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** {@code url} without trailing slashes. */
    /** {@code host:port} as people type it means {@code http://host:port}; a URL with a scheme is left alone. */
    static String withScheme(String url) {
        return url.contains("://") || url.isEmpty() ? url : "http://" + url;
    }

    public static String stripSlash(String url) {
        String u = url.trim();
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        return u;
    }

    /** Builds a {@link GambiarraClient}. */
    public static final class Builder {
        private String hubUrl;
        private String password;
        private String createPassword;
        private Duration timeout = Duration.ofSeconds(30);
        private Duration connectTimeout = Duration.ofSeconds(5);
        private OkHttpClient httpClient;

        private Builder() {
        }

        /** The hub, e.g. {@code http://192.168.1.10:3000}. Required. */
        public Builder hubUrl(String hubUrl) {
            this.hubUrl = hubUrl;
            return this;
        }

        /** The room password, sent as a Bearer token to hubs that check it on every call. */
        public Builder password(String password) {
            this.password = password;
            return this;
        }

        /** The hub's room creation password, for hubs started with {@code serve --create-password}. */
        public Builder createPassword(String createPassword) {
            this.createPassword = createPassword;
            return this;
        }

        /** Read timeout of room calls (30 s by default). */
        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout);
            return this;
        }

        /** Connect timeout (5 s by default). */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /**
         * The OkHttp client to derive this client's from (its TLS, proxy and interceptors are kept;
         * timeouts are this builder's). By default one shared by the whole SDK.
         */
        public Builder httpClient(OkHttpClient httpClient) {
            this.httpClient = Objects.requireNonNull(httpClient);
            return this;
        }

        /** The client; it opens no connection until the first call. */
        public GambiarraClient build() {
            return new GambiarraClient(this);
        }
    }
}
