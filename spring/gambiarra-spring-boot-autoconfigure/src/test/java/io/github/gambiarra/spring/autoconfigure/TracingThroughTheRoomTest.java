package io.github.gambiarra.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.gambiarra.spring.autoconfigure.langchain4j.GambiarraLangChain4jAutoConfiguration;
import io.github.gambiarra.spring.autoconfigure.springai.GambiarraSpringAiAutoConfiguration;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.model.chat.client.autoconfigure.ChatClientAutoConfiguration;
import org.springframework.ai.model.tool.autoconfigure.ToolCallingAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.observation.ObservationAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.observation.web.client.HttpClientObservationsAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.opentelemetry.OpenTelemetryAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.tracing.MicrometerTracingAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.tracing.OpenTelemetryTracingAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.web.client.RestClientAutoConfiguration;
import org.springframework.boot.autoconfigure.web.reactive.function.client.WebClientAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * An application with Micrometer Tracing (the OpenTelemetry bridge) and the starter: its trace goes
 * from its own span through the hub to the participant's server, with Spring AI's {@code ChatClient}
 * (blocking and streamed, through Spring's instrumented HTTP clients) and with the LangChain4j model.
 */
class TracingThroughTheRoomTest {
    static TestRoom room;

    final ApplicationContextRunner app = new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(
                    ObservationAutoConfiguration.class, OpenTelemetryAutoConfiguration.class,
                    OpenTelemetryTracingAutoConfiguration.class, MicrometerTracingAutoConfiguration.class,
                    HttpClientObservationsAutoConfiguration.class, RestClientAutoConfiguration.class,
                    WebClientAutoConfiguration.class,
                    GambiarraAutoConfiguration.class, GambiarraSpringAiAutoConfiguration.class,
                    GambiarraLangChain4jAutoConfiguration.class, ToolCallingAutoConfiguration.class,
                    ChatClientAutoConfiguration.class))
            .withPropertyValues(room.properties())
            .withPropertyValues("gambiarra.route=echo", "management.tracing.sampling.probability=1.0");

    @BeforeAll
    static void start() {
        room = new TestRoom();
    }

    @AfterAll
    static void stop() {
        room.close();
    }

    @Test
    void theApplicationsTraceReachesTheParticipantsServer() {
        app.run(context -> {
            Tracer tracer = context.getBean(Tracer.class);
            ChatClient chat = context.getBean(ChatClient.Builder.class).build();
            dev.langchain4j.model.chat.ChatModel langchain4j = context.getBean(dev.langchain4j.model.chat.ChatModel.class);
            Span span = tracer.nextSpan().name("answer a question").start();
            try (Tracer.SpanInScope ignored = tracer.withSpan(span)) {
                assertThat(chat.prompt("traced").call().content()).isEqualTo("You said: traced");
                assertThat(String.join("", chat.prompt("traced stream").stream().content().collectList().block()))
                        .isEqualTo("You said: traced stream");
                assertThat(langchain4j.chat("traced too")).isEqualTo("You said: traced too");
            } finally {
                span.end();
            }
            String trace = span.context().traceId();
            for (String what : new String[] {"Spring AI, blocking", "Spring AI, streamed", "LangChain4j"}) {
                assertThat(room.echo.takeRequest().header("traceparent")).as(what).startsWith("00-" + trace + "-");
            }
        });
    }
}
