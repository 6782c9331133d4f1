package io.github.gambiarra.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An application with OpenTelemetry and a current span: its trace goes with each request, through the
 * hub (which, not tracing itself, passes it on as it came) to the participant's server.
 */
class TraceContextTest {
    private RoomFixture room;
    private SdkTracerProvider provider;
    private Tracer tracer;

    @BeforeEach
    void start() {
        room = new RoomFixture();
        // A provider with nowhere to send spans makes none: it needs a processor, even one that drops them.
        provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(SpanExporter.composite()))
                .build();
        tracer = provider.get("test");
    }

    @AfterEach
    void stop() {
        room.close();
        provider.close();
    }

    @Test
    void blockingAndStreamedRequestsCarryTheCurrentTrace() throws Exception {
        GambiarraChatModel model = room.gambiarra().build().participant("joao");
        Span span = tracer.spanBuilder("answer a question").startSpan();
        String trace = span.getSpanContext().getTraceId();
        try (Scope ignored = span.makeCurrent()) {
            model.chat("hi");
            CompletableFuture<ChatResponse> streamed = new CompletableFuture<>();
            model.streaming().chat("hi again", new StreamingChatResponseHandler() {
                @Override
                public void onPartialResponse(String partial) {
                }

                @Override
                public void onCompleteResponse(ChatResponse response) {
                    streamed.complete(response);
                }

                @Override
                public void onError(Throwable error) {
                    streamed.completeExceptionally(error);
                }
            });
            streamed.get(10, TimeUnit.SECONDS);
        } finally {
            span.end();
        }
        for (int i = 0; i < 2; i++) {
            assertThat(room.llama.takeRequest().header("traceparent"))
                    .startsWith("00-" + trace + "-" + span.getSpanContext().getSpanId() + "-");
        }
    }

    @Test
    void withNoCurrentSpanNothingIsAdded() throws Exception {
        room.gambiarra().build().participant("joao").chat("hi");
        assertThat(room.llama.takeRequest().header("traceparent")).isNull();
    }
}
