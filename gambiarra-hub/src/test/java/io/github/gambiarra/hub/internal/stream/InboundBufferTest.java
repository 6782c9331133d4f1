package io.github.gambiarra.hub.internal.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The one pause/fetch/drain of the hub: what a reader gets, and when a producer is told to stop. */
class InboundBufferTest {
    private Vertx vertx;
    private Context context;
    /** What the reader saw: chunks as text, then "end" or "failed: why". */
    private final List<String> read = new ArrayList<>();

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        context = vertx.getOrCreateContext();
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Runs {@code step} on the buffer's context and waits for it. */
    private void on(Consumer<Void> step) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        context.runOnContext(v -> {
            try {
                step.accept(null);
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        done.get(10, TimeUnit.SECONDS);
    }

    private void read(InboundBuffer buffer) {
        buffer.handler(b -> read.add(b.toString()));
        buffer.endHandler(v -> read.add("end"));
        buffer.exceptionHandler(e -> read.add("failed: " + e.getMessage()));
    }

    @Test
    void nothingIsLostBeforeTheReaderIsThereAndTheEndComesLast() throws Exception {
        InboundBuffer buffer = new InboundBuffer(context, 16);
        on(v -> {
            buffer.write(Buffer.buffer("a"));
            buffer.write(Buffer.buffer("b"));
            buffer.end();
            buffer.write(Buffer.buffer("after the end"));
        });
        assertThat(read).isEmpty();
        on(v -> read(buffer));
        assertThat(read).containsExactly("a", "b", "end");
        assertThat(buffer.finished()).isTrue();
    }

    @Test
    void aPausedReaderGetsWhatItFetchesAndTheRestWhenItResumes() throws Exception {
        InboundBuffer buffer = new InboundBuffer(context, 16);
        buffer.pause(); // from the test's thread: moved onto the context
        on(v -> {
            read(buffer);
            for (String s : List.of("1", "2", "3")) {
                buffer.write(Buffer.buffer(s));
            }
            buffer.end();
        });
        assertThat(read).isEmpty();
        on(v -> buffer.fetch(1));
        assertThat(read).containsExactly("1");
        on(v -> buffer.fetch(1));
        assertThat(read).containsExactly("1", "2");
        on(v -> buffer.resume());
        assertThat(read).containsExactly("1", "2", "3", "end");
    }

    @Test
    void theProducerIsToldToStopPastTheMarkAndToGoOnOnceTakenUp() throws Exception {
        InboundBuffer buffer = new InboundBuffer(context, 2);
        List<Boolean> answers = new ArrayList<>();
        int[] drains = {0};
        buffer.drainHandler(v -> drains[0]++);
        on(v -> {
            read(buffer);
            buffer.pause();
            answers.add(buffer.write(Buffer.buffer("x")));
            answers.add(buffer.write(Buffer.buffer("y")));
        });
        assertThat(answers).containsExactly(true, false);
        assertThat(drains[0]).isZero();
        on(v -> buffer.fetch(1));
        assertThat(drains[0]).as("one chunk still waits").isZero();
        on(v -> buffer.resume());
        assertThat(drains[0]).isEqualTo(1);
        assertThat(read).containsExactly("x", "y");
        on(v -> answers.add(buffer.write(Buffer.buffer("z"))));
        assertThat(answers).endsWith(true);
    }

    @Test
    void aFailureComesAfterWhatArrivedBeforeItInsteadOfTheEnd() throws Exception {
        InboundBuffer buffer = new InboundBuffer(context, 16);
        on(v -> {
            read(buffer);
            buffer.write(Buffer.buffer("part"));
            buffer.fail(new IOException("broke off"));
            buffer.end();
        });
        assertThat(read).containsExactly("part", "failed: broke off");
    }

    @Test
    void aReaderThatGivesUpGetsNothingMore() throws Exception {
        InboundBuffer buffer = new InboundBuffer(context, 16);
        on(v -> {
            buffer.write(Buffer.buffer("dropped"));
            buffer.discard();
            read(buffer);
            buffer.write(Buffer.buffer("also dropped"));
            buffer.end();
        });
        assertThat(read).isEmpty();
    }

    @Test
    void eachChunkIsCountedOnceTheReaderHasTakenIt() throws Exception {
        InboundBuffer buffer = new InboundBuffer(context, 16);
        List<Integer> taken = new ArrayList<>();
        buffer.takenHandler(b -> taken.add(b.length()));
        on(v -> {
            buffer.pause();
            read(buffer);
            buffer.write(Buffer.buffer("abc"));
            buffer.write(Buffer.buffer("de"));
        });
        assertThat(taken).isEmpty();
        on(v -> buffer.resume());
        assertThat(taken).containsExactly(3, 2);
    }
}
