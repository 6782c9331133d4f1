package io.github.gambiarra.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.gambiarra.hub.GambiarraHub;
import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.protocol.GambiarraJson;
import io.github.gambiarra.protocol.HubEvent;
import io.github.gambiarra.protocol.Messages;
import io.github.gambiarra.testing.Eventually;
import io.github.gambiarra.testing.FakeLlmServer;
import io.github.gambiarra.testing.ManualClock;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import okhttp3.OkHttpClient;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.sse.EventSource;
import okhttp3.sse.EventSourceListener;
import okhttp3.sse.EventSources;
import org.junit.jupiter.api.Test;

/**
 * The hub's events and the protocol's records are one contract: every event a real hub publishes
 * has exactly the fields of its {@link HubEvent}'s record, no more and no fewer, so a field renamed
 * on one side only (the hub writing JSON of its own, or a record changed) fails here; and the client
 * reads every one of them into that record.
 */
class EventContractTest {

    @Test
    void everyEventTheHubPublishesHasExactlyTheFieldsOfItsRecord() throws Exception {
        Map<String, String> raw = new ConcurrentHashMap<>();
        Map<String, RoomEvent> typed = new ConcurrentHashMap<>();
        // Participants go offline when the test moves the hub's clock past their timeout, not before.
        ManualClock clock = new ManualClock();
        try (GambiarraHub hub = GambiarraHub.start(HubOptions.loopback().clock(clock)
                .timing(t -> t.healthCheckInterval(Duration.ofMillis(20)).offlineTimeout(Duration.ofSeconds(30))));
             FakeLlmServer good = FakeLlmServer.start("m");
             FakeLlmServer broken = FakeLlmServer.start("m")) {
            broken.otherwise(FakeLlmServer.error(500, "broken"));
            GambiarraClient client = GambiarraClient.create(hub.url());
            var created = client.createRoom("Events", null);
            String code = created.room().code();
            OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ZERO).build();
            EventSource source = EventSources.createFactory(http).newEventSource(
                    new Request.Builder().url(hub.url() + "/rooms/" + code + "/events").build(), new EventSourceListener() {
                        @Override
                        public void onEvent(EventSource es, String id, String type, String data) {
                            raw.putIfAbsent(type, data);
                        }
                    });
            EventSubscription subscription = client.events(code, e -> typed.putIfAbsent(e.name(), e));
            try {
                await(() -> raw.containsKey("connected") && typed.containsKey("connected"));
                client.createRoom("Another", null);
                // Every optional field given, so that every field of the records shows on the wire.
                var joined = client.register(code, new Messages.JoinRequest("solo", "Solo", "m", good.url(), null, null,
                        null, 1, null, null, java.util.List.of("chat", "embeddings")));
                client.register(code, new Messages.JoinRequest("bad", "Bad", "m", broken.url(), null, null, null, 1, null,
                        null, java.util.List.of("chat")));
                chat(http, hub.url(), code, "solo");
                chat(http, hub.url(), code, "bad");
                clock.advance(Duration.ofSeconds(31));
                await(() -> raw.containsKey("participant:offline"));
                client.heartbeat(code, "solo", joined.token());
                await(() -> raw.containsKey("participant:online"));
                client.leave(code, "solo", joined.token());
                client.deleteRoom(code, created.hostToken());
                await(() -> raw.keySet().containsAll(HubEvent.all().stream().map(HubEvent::name).toList())
                        && typed.keySet().containsAll(raw.keySet()));
            } finally {
                subscription.close();
                source.cancel();
            }
        }
        for (HubEvent<?> event : HubEvent.all()) {
            JsonNode json = GambiarraJson.mapper().readTree(raw.get(event.name()));
            Set<String> fields = new HashSet<>();
            json.fieldNames().forEachRemaining(fields::add);
            Set<String> components = new HashSet<>(Arrays.stream(event.dataType().getRecordComponents())
                    .map(RecordComponent::getName).toList());
            assertThat(fields).as(event.name() + " fields vs " + event.dataType().getSimpleName())
                    .isEqualTo(components);
            assertThat(typed.get(event.name()).data()).as(event.name()).isInstanceOf(event.dataType());
        }
    }

    private static void chat(OkHttpClient http, String hub, String code, String who) throws Exception {
        try (Response r = http.newCall(new Request.Builder().url(hub + "/rooms/" + code + "/v1/chat/completions")
                .post(RequestBody.create("{\"model\":\"" + who + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                        MediaType.get("application/json"))).build()).execute()) {
            r.body().string();
        }
    }

    private static void await(BooleanSupplier condition) {
        Eventually.await("the hub's events", condition::getAsBoolean);
    }
}
