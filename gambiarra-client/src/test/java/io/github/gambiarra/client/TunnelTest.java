package io.github.gambiarra.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.gambiarra.hub.GambiarraHub;
import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.protocol.GambiarraJson;
import io.github.gambiarra.protocol.HubEvent;
import io.github.gambiarra.protocol.Participant;
import io.github.gambiarra.protocol.tunnel.TunnelFrame;
import io.github.gambiarra.protocol.tunnel.TunnelMessages;
import io.github.gambiarra.testing.FakeLlmServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Participants that dial out (hub-api.md, Participant tunnel): a real hub, a real participant
 * session with its tunnel, and a fake LLM server that listens on 127.0.0.1 only.
 */
class TunnelTest {
    GambiarraHub hub;
    GambiarraClient client;
    FakeLlmServer llm;
    String code;
    // HTTP/1.1: one connection per concurrent request, as most OpenAI clients make them.
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() {
        hub = GambiarraHub.start(HubOptions.loopback().tunnel(t -> t.only(true).pingInterval(Duration.ofMillis(200))));
        client = GambiarraClient.create(hub.url());
        code = client.createRoom("Tunnel", null).room().code();
        llm = FakeLlmServer.start("m");
    }

    @AfterEach
    void stop() {
        hub.close();
        llm.close();
    }

    private ParticipantSession join(GambiarraClient via, String id, int maxConcurrency, ParticipantSession.Listener listener) {
        return via.join(code, JoinOptions.builder().id(id).nickname(id).model("m").endpoint(llm.url())
                .maxConcurrency(maxConcurrency).leaveOnShutdown(false)
                .backoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(400))).listener(listener).build());
    }

    private HttpResponse<String> chat(String model, boolean stream) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(hub.url() + "/rooms/" + code + "/v1/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"stream\":" + stream
                        + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String streamedText(String body) throws IOException {
        StringBuilder text = new StringBuilder();
        for (String line : body.split("\n")) {
            if (line.startsWith("data: {")) {
                JsonNode chunk = GambiarraJson.mapper().readTree(line.substring(6));
                text.append(chunk.at("/choices/0/delta/content").asText(""));
            }
        }
        return text.toString();
    }

    @Test
    void aParticipantBehindItsTunnelAnswersBlockingAndStreamedRequests() throws Exception {
        try (ParticipantSession me = join(client, "p", 4, new ParticipantSession.Listener() { })) {
            Participant p = client.listParticipants(code).get(0);
            assertThat(p.status().wire()).isEqualTo("online");
            // The hub never learns where the LLM server is: nothing to dial, nothing to show.
            assertThat(p.endpoint()).doesNotContain(String.valueOf(llm.port()));
            HttpResponse<String> blocking = chat("p", false);
            assertThat(blocking.statusCode()).isEqualTo(200);
            assertThat(GambiarraJson.mapper().readTree(blocking.body()).at("/choices/0/message/content").asText())
                    .isEqualTo("Hello from m");
            assertThat(blocking.headers().firstValue("X-Gambiarra-Participant")).contains("p");
            // The whole answer came in one frame: the client gets its length, not a chunked body.
            assertThat(blocking.headers().firstValue("Content-Length"))
                    .contains(String.valueOf(blocking.body().getBytes(StandardCharsets.UTF_8).length));
            assertThat(blocking.headers().firstValue("Transfer-Encoding")).isEmpty();
            HttpResponse<String> streamed = chat("*", true);
            assertThat(streamed.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
            assertThat(streamed.headers().firstValue("Content-Length")).isEmpty();
            assertThat(streamedText(streamed.body())).isEqualTo("Hello from m");
            // What reached the LLM server is what the client sent, with the participant's model.
            assertThat(llm.takeRequest().json().get("model").asText()).isEqualTo("m");
        }
        assertThat(client.listParticipants(code)).isEmpty();
    }

    @Test
    void theApisItsServerHasAreFoundAtJoinAndServedThroughTheTunnel() throws Exception {
        llm.without(io.github.gambiarra.protocol.OpenAiRoute.RESPONSES);
        try (ParticipantSession me = join(client, "p", 4, new ParticipantSession.Listener() { })) {
            assertThat(llm.probeCount()).isEqualTo(3);
            assertThat(client.listParticipants(code).get(0).apis()).containsExactly("chat", "completions", "embeddings");
            HttpResponse<String> embedded = http.send(HttpRequest.newBuilder(URI.create(hub.url() + "/rooms/" + code
                            + "/v1/embeddings")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"*\",\"input\":[\"one\",\"two\"]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(embedded.statusCode()).isEqualTo(200);
            assertThat(GambiarraJson.mapper().readTree(embedded.body()).get("data")).hasSize(2);
            HttpResponse<String> responses = http.send(HttpRequest.newBuilder(URI.create(hub.url() + "/rooms/" + code
                            + "/v1/responses")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"*\",\"input\":\"hi\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(responses.statusCode()).isEqualTo(404);
            assertThat(GambiarraJson.mapper().readTree(responses.body()).at("/error/code").asText()).isEqualTo("api_not_served");
            assertThat(llm.requestCount(io.github.gambiarra.protocol.OpenAiRoute.RESPONSES)).isZero();
        }
        // Said up front, nothing is asked.
        int probes = llm.probeCount();
        try (ParticipantSession me = client.join(code, JoinOptions.builder().id("q").nickname("q").model("m")
                .endpoint(llm.url()).leaveOnShutdown(false).apis(io.github.gambiarra.protocol.OpenAiRoute.EMBEDDINGS)
                .build())) {
            assertThat(llm.probeCount()).isEqualTo(probes);
            assertThat(client.listParticipants(code).get(0).apis()).containsExactly("chat", "embeddings");
        }
    }

    @Test
    void aRoomDeletedUnderItEndsTheSessionInsteadOfRetryingForever() throws Exception {
        var created = client.createRoom("Short-lived", null);
        String doomed = created.room().code();
        CompletableFuture<GambiarraException> gone = new CompletableFuture<>();
        List<RuntimeException> retries = java.util.Collections.synchronizedList(new ArrayList<>());
        ParticipantSession me = client.join(doomed, JoinOptions.builder().id("p").nickname("p").model("m")
                .endpoint(llm.url()).leaveOnShutdown(false).backoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(200)))
                .listener(new ParticipantSession.Listener() {
                    @Override
                    public void onRoomGone(GambiarraException reason) {
                        gone.complete(reason);
                    }

                    @Override
                    public void onHubUnreachable(RuntimeException error, Duration retryIn) {
                        retries.add(error);
                    }
                }).build());
        client.deleteRoom(doomed, created.hostToken());
        GambiarraException reason = gone.get(10, TimeUnit.SECONDS);
        assertThat(reason).isInstanceOf(GambiarraException.RoomNotFoundException.class);
        me.awaitLeft();
        int after = retries.size();
        Thread.sleep(500); // ten backoff periods: nothing more is tried
        assertThat(retries).hasSize(after);
        me.close(); // closing an ended session is harmless
    }

    @Test
    void aDeadLlmServerIsA502ThatDoesNotTellTheRoomWhereItWas() throws Exception {
        try (ParticipantSession me = join(client, "p", 4, new ParticipantSession.Listener() { })) {
            int port = llm.port();
            llm.close();
            HttpResponse<String> failed = chat("p", false);
            assertThat(failed.statusCode()).isEqualTo(502);
            JsonNode error = GambiarraJson.mapper().readTree(failed.body()).get("error");
            assertThat(error.get("code").asText()).isEqualTo("participant_unreachable");
            assertThat(error.get("message").asText()).contains("refused the connection")
                    .doesNotContain(String.valueOf(port)).doesNotContain("127.0.0.1");
        } finally {
            llm = FakeLlmServer.start("m"); // for stop()
        }
    }

    @Test
    void manyConcurrentStreamsShareOneTunnel() throws Exception {
        llm.otherwise(FakeLlmServer.streamWords("one two three four five six seven eight", Duration.ofMillis(20)));
        try (ParticipantSession me = join(client, "p", 256, new ParticipantSession.Listener() { })) {
            int streams = 200;
            List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
            for (int i = 0; i < streams; i++) {
                all.add(http.sendAsync(HttpRequest.newBuilder(URI.create(hub.url() + "/rooms/" + code + "/v1/chat/completions"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"p\",\"stream\":true,\"messages\":[]}")).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> f : all) {
                HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(streamedText(r.body())).isEqualTo("one two three four five six seven eight");
            }
            assertThat(llm.chatRequestCount()).isEqualTo(streams);
        }
    }

    @Test
    void aClientThatStopsReadingHoldsBackOnlyItsOwnStream() throws Exception {
        // Stream A is huge and its client never reads; stream B is small. Both cross the one tunnel.
        int chunks = 2048;
        String bulk = "x".repeat(32 * 1024);
        AtomicLong writtenForA = new AtomicLong();
        CountDownLatch aStarted = new CountDownLatch(1);
        llm.enqueue(ex -> {
            ex.startStream();
            aStarted.countDown();
            for (int i = 0; i < chunks; i++) {
                ex.event(FakeLlmServer.chunk("m", bulk, null));
                writtenForA.incrementAndGet();
            }
            ex.done();
        });
        try (ParticipantSession me = join(client, "p", 4, new ParticipantSession.Listener() { });
             Socket stalled = new Socket(InetAddress.getLoopbackAddress(), hub.port())) {
            stalled.setReceiveBufferSize(16 * 1024);
            String body = "{\"model\":\"p\",\"stream\":true,\"messages\":[]}";
            OutputStream out = stalled.getOutputStream();
            out.write(("POST /rooms/" + code + "/v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
            out.flush();
            assertThat(aStarted.await(10, TimeUnit.SECONDS)).isTrue();
            // Wait until A's server is held back: its writes stop advancing.
            long seen;
            do {
                seen = writtenForA.get();
                Thread.sleep(300);
            } while (writtenForA.get() != seen);
            assertThat(seen).as("chunks the LLM server got out for the stalled stream").isLessThan(chunks);

            llm.otherwise(FakeLlmServer.streamWords("b is not held back", Duration.ZERO));
            long before = System.nanoTime();
            HttpResponse<String> b = chat("p", true);
            assertThat(streamedText(b.body())).isEqualTo("b is not held back");
            assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(3));
            assertThat(writtenForA.get()).as("A is still held back").isLessThan(chunks);
        }
    }

    @Test
    void aClientThatGoesAwayCancelsTheRequestAtTheLlmServer() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch serverSawTheCancel = new CountDownLatch(1);
        llm.enqueue(ex -> {
            ex.startStream();
            started.countDown();
            try {
                for (int i = 0; i < 500; i++) {
                    ex.event(FakeLlmServer.chunk("m", "tok" + i, null));
                    Thread.sleep(20);
                }
            } catch (IOException e) {
                serverSawTheCancel.countDown();
                throw e;
            }
        });
        try (ParticipantSession me = join(client, "p", 4, new ParticipantSession.Listener() { })) {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), hub.port())) {
                String body = "{\"model\":\"p\",\"stream\":true,\"messages\":[]}";
                socket.getOutputStream().write(("POST /rooms/" + code + "/v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
                        + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                        .getBytes(StandardCharsets.UTF_8));
                BufferedReader reader = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                String line;
                while ((line = reader.readLine()) != null && !line.contains("tok1")) {
                    // read until the answer is flowing
                }
                assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(serverSawTheCancel.await(5, TimeUnit.SECONDS)).as("the LLM server's connection was closed").isTrue();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (client.listParticipants(code).get(0).stats().inFlight() != 0) {
                assertThat(System.nanoTime()).as("slot freed").isLessThan(deadline);
                Thread.sleep(20);
            }
        }
    }

    @Test
    void aTunnelThatDropsMidStreamEndsTheStreamTheParticipantGoesOfflineAndComesBack() throws Exception {
        llm.enqueue(ex -> {
            ex.startStream();
            ex.event(FakeLlmServer.chunk("m", "before the drop", null));
            Thread.sleep(30_000);
        });
        BlockingQueue<RoomEvent> events = new LinkedBlockingQueue<>();
        try (TcpRelay network = new TcpRelay(hub.port());
             EventSubscription watch = client.events(code, events::add);
             ParticipantSession me = join(GambiarraClient.create("http://127.0.0.1:" + network.port()), "p", 4,
                     new ParticipantSession.Listener() { })) {
            awaitEvent(events, HubEvent.PARTICIPANT_ONLINE);
            HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(
                            URI.create(hub.url() + "/rooms/" + code + "/v1/chat/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"p\",\"stream\":true,\"messages\":[]}")).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
            assertThat(reader.readLine()).contains("before the drop");

            network.cutAll();
            long cut = System.nanoTime();
            List<String> rest = new ArrayList<>();
            String line;
            while ((line = reader.readLine()) != null) {
                rest.add(line);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - cut)).as("the client's stream ended").isLessThan(Duration.ofSeconds(1));
            assertThat(rest.stream().filter(l -> l.startsWith("data: ")).reduce((a, b) -> b).orElseThrow())
                    .contains("participant_disconnected");
            awaitEvent(events, HubEvent.PARTICIPANT_OFFLINE);
            awaitEvent(events, HubEvent.PARTICIPANT_ONLINE);
            llm.otherwise(FakeLlmServer.echo("back again"));
            assertThat(GambiarraJson.mapper().readTree(chat("p", false).body()).at("/choices/0/message/content").asText())
                    .isEqualTo("back again");
        }
    }

    @Test
    void aHubThatRestartsIsJoinedAgainThroughANewTunnel(@org.junit.jupiter.api.io.TempDir java.nio.file.Path data)
            throws Exception {
        hub.close();
        hub = GambiarraHub.start(HubOptions.loopback().storage(s -> s.dataDir(data)));
        client = GambiarraClient.create(hub.url());
        code = client.createRoom("Tunnel", null).room().code();
        CountDownLatch rejoined = new CountDownLatch(1);
        try (ParticipantSession me = join(client, "p", 4, new ParticipantSession.Listener() {
            @Override
            public void onRejoined(Participant participant) {
                rejoined.countDown();
            }
        })) {
            int port = hub.port();
            hub.close();
            hub = GambiarraHub.start(HubOptions.defaults()
                    .listen(l -> l.host("127.0.0.1").port(port))
                    .storage(s -> s.dataDir(data)));
            assertThat(rejoined.await(15, TimeUnit.SECONDS)).as("joined again by itself").isTrue();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (client.listParticipants(code).isEmpty()
                    || !client.listParticipants(code).get(0).status().wire().equals("online")) {
                assertThat(System.nanoTime()).as("online again").isLessThan(deadline);
                Thread.sleep(50);
            }
            assertThat(chat("p", false).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void onlyTheSharedOpenAiRoutesReachTheLlmServer() throws Exception {
        // A hub that turned hostile (or a bug in one) still reaches nothing but the shared routes.
        try (ParticipantSession me = join(client, "p", 4, new ParticipantSession.Listener() { })) {
            assertThat(chat("p", false).statusCode()).isEqualTo(200);
        }
        io.github.gambiarra.protocol.tunnel.TunnelMessages.FORWARDED_PATHS.forEach(path ->
                assertThat(path).startsWith("/v1/"));
        assertThat(io.github.gambiarra.protocol.tunnel.TunnelMessages.FORWARDED_PATHS)
                .doesNotContain("/v1/models", "/api/tags", "/api/pull", "/");
    }

    @Test
    void aDirectJoinOnATunnelOnlyHubIsRefusedWithItsCode() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.join(code, JoinOptions.builder().nickname("d")
                        .model("m").endpoint(llm.url()).direct().build()))
                .isInstanceOf(GambiarraException.BadRequestException.class)
                .hasMessageContaining("tunnel")
                .satisfies(e -> assertThat(((GambiarraException) e).code()).isEqualTo("tunnel_required"));
        assertThat(client.listParticipants(code)).isEmpty();
    }

    @Test
    void aParticipantThatSendsGarbageFailsOnlyItsOwnRequestAndTheHubGoesOn() throws Exception {
        // A participant written by someone else, frame by frame: the hub must survive what it sends.
        HttpResponse<String> joined = http.send(HttpRequest.newBuilder(URI.create(hub.url() + "/rooms/" + code + "/join"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"raw\",\"nickname\":\"raw\",\"model\":\"m\","
                        + "\"transport\":\"tunnel\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(joined.statusCode()).isEqualTo(201);
        String token = GambiarraJson.mapper().readTree(joined.body()).get("token").asText();
        BlockingQueue<TunnelFrame> frames = new LinkedBlockingQueue<>();
        CompletableFuture<Integer> closedWith = new CompletableFuture<>();
        okhttp3.WebSocket ws = new okhttp3.OkHttpClient().newWebSocket(new okhttp3.Request.Builder()
                .url(hub.url().replace("http", "ws") + "/rooms/" + code + "/tunnel")
                .header("Authorization", "Bearer " + token)
                .header(TunnelMessages.PARTICIPANT_HEADER, "raw")
                .header("Sec-WebSocket-Protocol", TunnelMessages.SUBPROTOCOL).build(), new okhttp3.WebSocketListener() {
                    @Override
                    public void onMessage(okhttp3.WebSocket webSocket, okio.ByteString bytes) {
                        frames.add(TunnelFrame.decode(bytes.toByteArray()));
                    }

                    @Override
                    public void onClosing(okhttp3.WebSocket webSocket, int status, String reason) {
                        closedWith.complete(status);
                        webSocket.close(1000, null);
                    }
                });
        assertThat(frames.poll(10, TimeUnit.SECONDS).type()).isEqualTo(TunnelFrame.Type.HELLO);

        // A HEAD whose JSON length runs past the frame: that request fails, with the participant named.
        CompletableFuture<HttpResponse<String>> first = http.sendAsync(chatRequest("raw"), HttpResponse.BodyHandlers.ofString());
        TunnelFrame open = frames.poll(10, TimeUnit.SECONDS);
        assertThat(open.type()).isEqualTo(TunnelFrame.Type.OPEN);
        assertThat(open.end()).isTrue();
        assertThat(GambiarraJson.mapper().readTree(open.body()).get("model").asText()).isEqualTo("m");
        ws.send(okio.ByteString.of(new TunnelFrame(TunnelFrame.Type.HEAD, TunnelFrame.END, open.streamId(),
                new byte[] {0x7f, 0x7f, '{'}).encode()));
        HttpResponse<String> failed = first.get(10, TimeUnit.SECONDS);
        assertThat(failed.statusCode()).isEqualTo(502);
        assertThat(GambiarraJson.mapper().readTree(failed.body()).at("/error/participant").asText()).isEqualTo("raw");
        TunnelFrame reset = frames.poll(10, TimeUnit.SECONDS);
        assertThat(reset.type()).isEqualTo(TunnelFrame.Type.RESET);
        assertThat(reset.streamId()).isEqualTo(open.streamId());

        // The tunnel still carries the next request, answered in one frame.
        CompletableFuture<HttpResponse<String>> second = http.sendAsync(chatRequest("raw"), HttpResponse.BodyHandlers.ofString());
        TunnelFrame open2 = frames.poll(10, TimeUnit.SECONDS);
        byte[] head = TunnelMessages.json(new TunnelMessages.Head(200, java.util.Map.of("Content-Type", "application/json")));
        byte[] answer = "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"raw says hi\"}}]}"
                .getBytes(StandardCharsets.UTF_8);
        ws.send(okio.ByteString.of(new TunnelFrame(TunnelFrame.Type.HEAD, TunnelFrame.END, open2.streamId(),
                TunnelFrame.withJson(head, answer, 0, answer.length)).encode()));
        HttpResponse<String> ok = second.get(10, TimeUnit.SECONDS);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("raw says hi");

        // Body bytes far past the window while the client reads nothing: the hub abandons that stream
        // instead of holding them.
        try (Socket stalled = new Socket(InetAddress.getLoopbackAddress(), hub.port())) {
            stalled.setReceiveBufferSize(16 * 1024);
            String body = "{\"model\":\"raw\",\"stream\":true,\"messages\":[]}";
            stalled.getOutputStream().write(("POST /rooms/" + code + "/v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.US_ASCII));
            TunnelFrame open3 = frames.poll(10, TimeUnit.SECONDS);
            assertThat(open3.type()).isEqualTo(TunnelFrame.Type.OPEN);
            byte[] sse = TunnelMessages.json(new TunnelMessages.Head(200, java.util.Map.of("Content-Type", "text/event-stream")));
            ws.send(okio.ByteString.of(new TunnelFrame(TunnelFrame.Type.HEAD, 0, open3.streamId(),
                    TunnelFrame.withJson(sse, new byte[0], 0, 0)).encode()));
            byte[] events = "data: {\"choices\":[]}\n\n".repeat(5000).getBytes(StandardCharsets.US_ASCII);
            TunnelFrame verdict = null;
            for (int sent = 0; verdict == null && sent < 512; sent++) { // 512 × 110 kB: far past any buffer
                while (ws.queueSize() > 1 << 20) {
                    Thread.sleep(1);
                }
                ws.send(okio.ByteString.of(new TunnelFrame(TunnelFrame.Type.DATA, 0, open3.streamId(), events).encode()));
                verdict = frames.poll();
            }
            if (verdict == null) {
                verdict = frames.poll(10, TimeUnit.SECONDS);
            }
            while (verdict != null && verdict.type() == TunnelFrame.Type.CREDIT) {
                verdict = frames.poll(10, TimeUnit.SECONDS);
            }
            assertThat(verdict).isNotNull();
            assertThat(verdict.type()).isEqualTo(TunnelFrame.Type.RESET);
            assertThat(verdict.streamId()).isEqualTo(open3.streamId());
            assertThat(TunnelMessages.read(verdict.payload(), TunnelMessages.Reset.class).message()).contains("window");
        }

        // A frame of no known type: the hub closes the tunnel as a protocol error, and the participant is offline.
        ws.send(okio.ByteString.of(new byte[] {0x55, 0, 0, 0, 0, 1}));
        assertThat(closedWith.get(10, TimeUnit.SECONDS)).isEqualTo(1002);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!client.listParticipants(code).get(0).status().wire().equals("offline")) {
            assertThat(System.nanoTime()).as("offline").isLessThan(deadline);
            Thread.sleep(20);
        }
        assertThat(chat("raw", false).statusCode()).isEqualTo(503);
    }

    private HttpRequest chatRequest(String model) {
        return HttpRequest.newBuilder(URI.create(hub.url() + "/rooms/" + code + "/v1/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"messages\":[]}")).build();
    }

    private static void awaitEvent(BlockingQueue<RoomEvent> events, HubEvent<?> type) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            RoomEvent e = events.poll(100, TimeUnit.MILLISECONDS);
            if (e != null && e.is(type)) {
                return;
            }
        }
        throw new AssertionError("no " + type + " event");
    }
}
