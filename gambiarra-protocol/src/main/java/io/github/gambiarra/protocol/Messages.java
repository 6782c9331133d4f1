package io.github.gambiarra.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** The request and response bodies of the hub's room-management endpoints. */
public final class Messages {
    private Messages() {
    }

    /** {@code POST /rooms}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CreateRoomRequest(String name, String password) {
    }

    /**
     * Answer to {@code POST /rooms}. {@code hostToken} (an addition) is the creator's secret: it
     * deletes the room ({@code DELETE /rooms/{code}} with {@code Authorization: Bearer <hostToken>}).
     * {@code hostId} cannot serve, as room listings show it to everyone.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CreateRoomResponse(Room room, String hostId, String hostToken) {
        public CreateRoomResponse(Room room, String hostId) {
            this(room, hostId, null);
        }
    }

    /** Answer to {@code GET /rooms}. */
    public record RoomList(List<RoomSummary> rooms) {
    }

    /**
     * {@code POST /rooms/{code}/join}. Additions to the original: {@code maxConcurrency} (how many
     * requests the participant takes at once), {@code token} (the token of an earlier registration
     * under the same id, which a re-join must show to replace it) and {@code transport}
     * ({@code "tunnel"}: the participant connects out to the hub and needs no endpoint; absent or
     * {@code "direct"}: the hub dials {@code endpoint}, as in the original) and {@code apis} (the
     * {@link OpenAiRoute} wire names its server serves; absent: not said, the hub learns).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record JoinRequest(String id, String nickname, String model, String endpoint,
                              String password, MachineSpecs specs, GenerationConfig config,
                              Integer maxConcurrency, String token, String transport, List<String> apis) {

        /** {@code transport}: the participant dials out to the hub over the tunnel. */
        public static final String TUNNEL = "tunnel";
        /** {@code transport}: the hub dials the participant's endpoint (the original way). */
        public static final String DIRECT = "direct";

        /** A join request as the original protocol has it. */
        public JoinRequest(String id, String nickname, String model, String endpoint,
                           String password, MachineSpecs specs, GenerationConfig config) {
            this(id, nickname, model, endpoint, password, specs, config, null, null, null, null);
        }

        /** A join request that does not say which APIs the participant serves. */
        public JoinRequest(String id, String nickname, String model, String endpoint,
                           String password, MachineSpecs specs, GenerationConfig config,
                           Integer maxConcurrency, String token, String transport) {
            this(id, nickname, model, endpoint, password, specs, config, maxConcurrency, token, transport, null);
        }

        /** A direct join with a concurrency limit and, for a re-join, the earlier token. */
        public JoinRequest(String id, String nickname, String model, String endpoint,
                           String password, MachineSpecs specs, GenerationConfig config,
                           Integer maxConcurrency, String token) {
            this(id, nickname, model, endpoint, password, specs, config, maxConcurrency, token, null, null);
        }

        /** Whether the participant asks to connect through the tunnel. */
        public boolean viaTunnel() {
            return TUNNEL.equals(transport);
        }
    }

    /**
     * Answer to {@code POST /rooms/{code}/join}. {@code token} (an addition) is the participant's
     * secret: health checks, leave and the tunnel must carry it as {@code Authorization: Bearer
     * <token>}. {@code tunnel} (an addition), for a participant that joined through the tunnel, is
     * the path of its WebSocket on the hub.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record JoinResponse(Participant participant, String roomId, String token, String tunnel) {
        public JoinResponse(Participant participant, String roomId, String token) {
            this(participant, roomId, token, null);
        }
    }

    /** {@code POST /rooms/{code}/health}. */
    public record HealthRequest(String id) {
    }

    /** Answer to health and leave. */
    public record Success(boolean success) {
        public static final Success OK = new Success(true);
    }

    /**
     * Answer to {@code GET /rooms/{code}/participants}. {@code queued} (an addition) is the number of
     * the room's requests waiting for a free participant.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ParticipantList(List<Participant> participants, Integer queued) {
        public ParticipantList(List<Participant> participants) {
            this(participants, null);
        }
    }

    /**
     * Answer to {@code GET /health}. {@code hub} (this hub's id) and {@code cluster} are additions,
     * present when the hub is one of a cluster.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record HubHealth(String status, long timestamp, String hub, ClusterHealth cluster) {
        public HubHealth(String status, long timestamp) {
            this(status, timestamp, null, null);
        }
    }

    /** A cluster as one of its hubs sees it: how many hubs are members now. */
    public record ClusterHealth(int members) {
    }

    /**
     * The room-management error shape: {@code {"error": "...", "code": "..."}}. {@code error} stays
     * the message, as the original protocol has it (its clients print it); {@code code} is an
     * {@link ErrorCode} beside it, for clients that decide by code.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Error(String error, String code) {
        /** The error for {@code code}, with a message for people. */
        public static Error of(ErrorCode code, String message) {
            return new Error(message, code.wire());
        }
    }

    /**
     * The OpenAI error shape used on {@code /v1/...} and as the last event of a stream that failed:
     * {@code {"error":{"message","type","code","param"}}}.
     */
    public record OpenAiError(Detail error) {
        /**
         * The inner object of an OpenAI error. {@code participant} (an addition, absent when none)
         * names the participant the error is about.
         */
        @JsonInclude(JsonInclude.Include.ALWAYS)
        public record Detail(String message, String type, String code, String param,
                             @JsonInclude(JsonInclude.Include.NON_NULL) String participant) {
        }

        /** The error for {@code code}, with a message for people. */
        public static OpenAiError of(ErrorCode code, String message) {
            return new OpenAiError(new Detail(message, code.openAiType(), code.wire(), null, null));
        }

        /** The error for {@code code} about one participant. */
        public static OpenAiError about(ErrorCode code, String message, String participantId) {
            return new OpenAiError(new Detail(message, code.openAiType(), code.wire(), null, participantId));
        }
    }

    /** Answer to {@code GET /rooms/{code}/v1/models}: an OpenAI model list. */
    public record ModelList(String object, List<ModelEntry> data) {
        public static ModelList of(List<ModelEntry> data) {
            return new ModelList("list", data);
        }
    }

    /** One participant as an OpenAI model; its {@code id} is the participant id. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ModelEntry(String id, String object, long created,
                             @JsonProperty("owned_by") String ownedBy, ModelDetails gambiarra) {
    }

    /** The Gambiarra extension of a model entry. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ModelDetails(String nickname, String model, String endpoint) {
    }

    /** Data of {@code participant:left} and {@code participant:offline}. */
    public record ParticipantRef(String participantId) implements AboutParticipant {
    }

    /** Data of {@code room:deleted}: the room's code. */
    public record RoomRef(String code) {
    }

    /** Data of {@code connected}. */
    public record Connected(String clientId) {
    }

    /**
     * Data of {@code llm:request}. {@code api} (an addition) is the {@link OpenAiRoute} wire name:
     * {@code chat}, {@code completions}, {@code embeddings} or {@code responses}.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record LlmRequest(String participantId, String model, String api) implements AboutParticipant {
        public LlmRequest(String participantId, String model) {
            this(participantId, model, null);
        }
    }

    /**
     * Data of {@code llm:complete}: how one request went. {@code tokens} are the tokens generated
     * (none for embeddings); {@code inputTokens} those read, when the participant reported them (0
     * otherwise); {@code api} which API it was (see {@link LlmRequest}). Both are additions, null
     * from hubs that do not send them.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record LlmComplete(String participantId, String model, long ttftMs, long durationMs, long tokens,
                              double tokensPerSecond, String api, Long inputTokens) implements AboutParticipant {
        public LlmComplete(String participantId, String model, long ttftMs, long durationMs, long tokens,
                           double tokensPerSecond) {
            this(participantId, model, ttftMs, durationMs, tokens, tokensPerSecond, null, null);
        }
    }

    /** Data of {@code llm:error}. */
    public record LlmError(String participantId, String error) implements AboutParticipant {
    }
}
