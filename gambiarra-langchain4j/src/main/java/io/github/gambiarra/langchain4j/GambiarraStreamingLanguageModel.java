package io.github.gambiarra.langchain4j;

import dev.langchain4j.model.StreamingResponseHandler;
import dev.langchain4j.model.language.StreamingLanguageModel;
import dev.langchain4j.model.openai.OpenAiStreamingLanguageModel;
import dev.langchain4j.model.output.Response;
import io.github.gambiarra.langchain4j.internal.ErrorMapping;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The streaming counterpart of {@link GambiarraLanguageModel}: the completion's text is handed
 * over as the participant produces it. Every request ends with exactly one of
 * {@code onComplete} and {@code onError}; a participant that breaks off mid-answer ends it with
 * {@code onError} and a {@link ParticipantFailedException} naming the participant.
 */
public final class GambiarraStreamingLanguageModel implements StreamingLanguageModel {
    private final Gambiarra room;
    private final String route;
    private final OpenAiStreamingLanguageModel delegate;

    GambiarraStreamingLanguageModel(Gambiarra room, String route) {
        this.room = room;
        this.route = route;
        this.delegate = room.configure(OpenAiStreamingLanguageModel.builder(), route).build();
    }

    /** The routing key sent as {@code model}. */
    public String route() {
        return route;
    }

    @Override
    public void generate(String prompt, StreamingResponseHandler<String> handler) {
        AtomicBoolean ended = new AtomicBoolean();
        delegate.generate(prompt, new StreamingResponseHandler<>() {
            @Override
            public void onNext(String token) {
                if (!ended.get()) {
                    handler.onNext(token);
                }
            }

            @Override
            public void onComplete(Response<String> response) {
                if (ended.compareAndSet(false, true)) {
                    handler.onComplete(response);
                }
            }

            @Override
            public void onError(Throwable error) {
                if (ended.compareAndSet(false, true)) {
                    handler.onError(ErrorMapping.translate(error, room.hubUrl(), room.roomCode(), route));
                }
            }
        });
    }

    @Override
    public String toString() {
        return "GambiarraStreamingLanguageModel{room=" + room.roomCode() + ", route=" + route + ", hub=" + room.hubUrl() + "}";
    }
}
