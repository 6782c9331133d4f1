package io.github.gambiarra.hub;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.sse.EventSource;
import okhttp3.sse.EventSourceListener;
import okhttp3.sse.EventSources;

/** Watches a room's event stream with OkHttp's SSE client and keeps what arrives. */
final class SseRecorder implements AutoCloseable {
    record Event(String name, JsonNode data) {
    }

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final EventSource source;
    volatile Response response;
    volatile Throwable failure;

    SseRecorder(String url) {
        OkHttpClient client = new OkHttpClient.Builder().readTimeout(0, TimeUnit.MILLISECONDS).build();
        source = EventSources.createFactory(client).newEventSource(new Request.Builder().url(url).build(),
                new EventSourceListener() {
                    @Override
                    public void onOpen(EventSource es, Response r) {
                        response = r;
                    }

                    @Override
                    public void onEvent(EventSource es, String id, String type, String data) {
                        try {
                            events.add(new Event(type, HubClient.JSON.readTree(data)));
                        } catch (IOException e) {
                            failure = e;
                        }
                    }

                    @Override
                    public void onFailure(EventSource es, Throwable t, Response r) {
                        failure = t;
                        response = r;
                    }
                });
    }

    /** The next event named {@code name} (others are skipped), waiting up to 5 s. */
    Event next(String name) throws InterruptedException {
        return next(e -> e.name().equals(name), "event " + name);
    }

    Event next(Predicate<Event> wanted, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            long left = deadline - System.nanoTime();
            Event e = events.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            if (e == null) {
                throw new AssertionError("no " + what + " within 5 s (failure: " + failure + ")");
            }
            if (wanted.test(e)) {
                return e;
            }
        }
    }

    /** Events received and not yet consumed, without waiting. */
    java.util.List<Event> drain() {
        java.util.List<Event> list = new java.util.ArrayList<>();
        events.drainTo(list);
        return list;
    }

    @Override
    public void close() {
        source.cancel();
    }
}
