package io.github.gambiarra.langchain4j;

import dev.langchain4j.model.chat.response.ChatResponseMetadata;
import java.util.Objects;

/**
 * Response metadata of a Gambiarra chat model: the usual id, model, token usage and finish
 * reason, plus which participant of which room answered.
 *
 * <pre>{@code
 * ChatResponse response = gambiarra.any().chat(ChatRequest.builder().messages(UserMessage.from("Hi")).build());
 * String who = ((GambiarraChatResponseMetadata) response.metadata()).participantId();
 * }</pre>
 */
public class GambiarraChatResponseMetadata extends ChatResponseMetadata {
    private final String participantId;
    private final String roomCode;
    private final ChatResponseMetadata upstream;

    /** For {@link Builder#build()} and subclasses. */
    protected GambiarraChatResponseMetadata(Builder builder) {
        super(builder);
        this.participantId = builder.participantId;
        this.roomCode = builder.roomCode;
        this.upstream = builder.upstream;
    }

    /** The id of the participant that answered, as the hub reported it; null if the hub did not say. */
    public String participantId() {
        return participantId;
    }

    /** The room the request went to. */
    public String roomCode() {
        return roomCode;
    }

    /**
     * The metadata as LangChain4j's OpenAI client built it (an {@code OpenAiChatResponseMetadata}
     * with the raw HTTP response and, when streaming, the raw events).
     */
    public ChatResponseMetadata upstream() {
        return upstream;
    }

    @Override
    public Builder toBuilder() {
        return ((Builder) super.toBuilder(builder()))
                .participantId(participantId)
                .roomCode(roomCode)
                .upstream(upstream);
    }

    /** An empty builder. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof GambiarraChatResponseMetadata other) || !super.equals(o)) {
            return false;
        }
        return Objects.equals(participantId, other.participantId) && Objects.equals(roomCode, other.roomCode);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), participantId, roomCode);
    }

    @Override
    public String toString() {
        return "GambiarraChatResponseMetadata{id=" + id() + ", modelName=" + modelName() + ", tokenUsage="
                + tokenUsage() + ", finishReason=" + finishReason() + ", participantId=" + participantId
                + ", roomCode=" + roomCode + "}";
    }

    /** Builds {@link GambiarraChatResponseMetadata}. */
    public static class Builder extends ChatResponseMetadata.Builder<Builder> {
        private String participantId;
        private String roomCode;
        private ChatResponseMetadata upstream;

        /** The participant that answered. */
        public Builder participantId(String participantId) {
            this.participantId = participantId;
            return this;
        }

        /** The room the request went to. */
        public Builder roomCode(String roomCode) {
            this.roomCode = roomCode;
            return this;
        }

        /** The metadata LangChain4j's OpenAI client built. */
        public Builder upstream(ChatResponseMetadata upstream) {
            this.upstream = upstream;
            return this;
        }

        @Override
        public GambiarraChatResponseMetadata build() {
            return new GambiarraChatResponseMetadata(this);
        }
    }
}
