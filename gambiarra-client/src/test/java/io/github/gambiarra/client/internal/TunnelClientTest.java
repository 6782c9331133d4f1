package io.github.gambiarra.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.gambiarra.protocol.GambiarraJson;
import io.github.gambiarra.protocol.tunnel.TunnelFrame;
import io.github.gambiarra.protocol.tunnel.TunnelMessages;
import io.github.gambiarra.testing.FakeLlmServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The participant's end of the tunnel, frame by frame, against a hub written here from the frame
 * reference in hub-api.md: what a hub may ask of it, and what it must refuse whatever a hub asks.
 * {@link NettyTunnelClientTest} runs the same against the Netty end.
 */
class TunnelClientTest {
    Vertx vertx;
    HttpServer fakeHub;
    FakeLlmServer llm;
    TunnelEnd participant;
    final CompletableFuture<ServerWebSocket> socket = new CompletableFuture<>();
    final BlockingQueue<TunnelFrame> fromParticipant = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        llm = FakeLlmServer.start("m");
        fakeHub = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)
                        .setWebSocketSubProtocols(List.of(TunnelMessages.SUBPROTOCOL)))
                .webSocketHandler(ws -> {
                    ws.binaryMessageHandler(b -> fromParticipant.add(TunnelFrame.decode(b.getBytes())));
                    socket.complete(ws);
                })
                .listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        if (participant != null) {
            participant.close();
        }
        llm.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Connects the participant's end and says hello with this window and frame size. */
    private ServerWebSocket connect(int window, int maxFrame) throws Exception {
        participant = end("ws://127.0.0.1:" + fakeHub.actualPort() + "/rooms/ABC123/tunnel", llm.url(),
                new TunnelClient.Listener() {
                    @Override
                    public void onConnected() {
                    }

                    @Override
                    public void onDisconnected(TunnelClient.Disconnect why) {
                    }
                });
        participant.connect();
        ServerWebSocket ws = socket.get(10, TimeUnit.SECONDS);
        write(ws, new TunnelFrame(TunnelFrame.Type.HELLO, 0, 0, TunnelMessages.json(
                new TunnelMessages.Hello(TunnelMessages.VERSION, window, maxFrame, "p"))));
        participant.hello().get(10, TimeUnit.SECONDS);
        return ws;
    }

    /** The end under test: OkHttp's here, {@link NettyTunnelClientTest}'s Netty one there. */
    TunnelEnd end(String tunnelUrl, String localBase, TunnelClient.Listener listener) {
        return new TunnelClient(new OkHttpClient(), tunnelUrl, "p", "token", localBase, listener);
    }

    private static void write(ServerWebSocket ws, TunnelFrame frame) {
        ws.writeBinaryMessage(Buffer.buffer(frame.encode()));
    }

    private static TunnelFrame open(int stream, String method, String path, byte[] body, int bodyLength, boolean end) {
        byte[] json = TunnelMessages.json(new TunnelMessages.Open(method, path, Map.of("Content-Type", "application/json")));
        return new TunnelFrame(TunnelFrame.Type.OPEN, end ? TunnelFrame.END : 0, stream,
                TunnelFrame.withJson(json, body, 0, bodyLength));
    }

    private TunnelFrame next() throws InterruptedException {
        TunnelFrame f = fromParticipant.poll(10, TimeUnit.SECONDS);
        assertThat(f).as("a frame from the participant").isNotNull();
        return f;
    }

    private static byte[] chat(String content, boolean stream) {
        return ("{\"model\":\"m\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\""
                + content + "\"}]}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aBodyCutIntoFramesReachesTheLlmServerWholeAndAShortAnswerComesBackAsOneFrame() throws Exception {
        ServerWebSocket ws = connect(64 * 1024, 16);
        byte[] body = chat("x".repeat(100), false);
        write(ws, open(1, "POST", "/v1/chat/completions", body, 16, false));
        for (int at = 16; at < body.length; at += 16) {
            int end = Math.min(body.length, at + 16);
            write(ws, new TunnelFrame(TunnelFrame.Type.DATA, end == body.length ? TunnelFrame.END : 0, 1,
                    java.util.Arrays.copyOfRange(body, at, end)));
        }
        assertThat(llm.takeRequest().body()).isEqualTo(new String(body, StandardCharsets.UTF_8));
        TunnelFrame head = next();
        assertThat(head.type()).isEqualTo(TunnelFrame.Type.HEAD);
        assertThat(head.streamId()).isEqualTo(1);
        TunnelMessages.Head h = TunnelMessages.read(head.json(), TunnelMessages.Head.class);
        assertThat(h.status()).isEqualTo(200);
        assertThat(head.end()).as("an answer longer than maxFrame (16) in one frame").isFalse();
        StringBuilder answer = new StringBuilder(new String(head.body(), StandardCharsets.UTF_8));
        TunnelFrame data;
        do {
            data = next();
            assertThat(data.type()).isEqualTo(TunnelFrame.Type.DATA);
            assertThat(data.payload().length).isLessThanOrEqualTo(16);
            answer.append(new String(data.payload(), StandardCharsets.UTF_8));
        } while (!data.end());
        assertThat(GambiarraJson.mapper().readTree(answer.toString()).at("/choices/0/message/content").asText())
                .isEqualTo("Hello from m");

    }

    @Test
    void aShortAnswerOfKnownLengthIsOneHeadFrameThatEndsTheStream() throws Exception {
        ServerWebSocket ws = connect(64 * 1024, 64 * 1024);
        byte[] body = chat("hi", false);
        write(ws, open(7, "POST", "/v1/chat/completions", body, body.length, true));
        TunnelFrame whole = next();
        assertThat(whole.type()).isEqualTo(TunnelFrame.Type.HEAD);
        assertThat(whole.streamId()).isEqualTo(7);
        assertThat(whole.end()).isTrue();
        assertThat(GambiarraJson.mapper().readTree(whole.body()).at("/choices/0/message/content").asText())
                .isEqualTo("Hello from m");
        assertThat(fromParticipant.poll(200, TimeUnit.MILLISECONDS)).as("a frame after the end").isNull();
    }

    @Test
    void whateverTheHubAsksOnlyTheSharedRoutesByPostReachTheLlmServer() throws Exception {
        ServerWebSocket ws = connect(64 * 1024, 64 * 1024);
        byte[] body = "{\"name\":\"llama3\"}".getBytes(StandardCharsets.UTF_8);
        write(ws, open(1, "POST", "/api/pull", body, body.length, true));
        write(ws, open(2, "GET", "/v1/chat/completions", body, body.length, true));
        write(ws, open(3, "POST", "/v1/chat/completions/../../api/delete", body, body.length, true));
        write(ws, open(4, "POST", "/v1/models", body, body.length, true));
        for (int i = 0; i < 4; i++) {
            TunnelFrame f = next();
            assertThat(f.type()).isEqualTo(TunnelFrame.Type.HEAD);
            assertThat(f.end()).isTrue();
            assertThat(TunnelMessages.read(f.json(), TunnelMessages.Head.class).status()).isEqualTo(404);
            assertThat(GambiarraJson.mapper().readTree(f.body()).at("/error/code").asText()).isEqualTo("not_found");
        }
        // A shared route still works afterwards, and it is the only request the LLM server saw.
        byte[] chat = chat("hi", false);
        write(ws, open(5, "POST", "/v1/chat/completions", chat, chat.length, true));
        TunnelFrame answer = next();
        assertThat(answer.streamId()).isEqualTo(5);
        assertThat(TunnelMessages.read(answer.json(), TunnelMessages.Head.class).status()).isEqualTo(200);
        assertThat(llm.requestCount()).isEqualTo(1);
    }

    @Test
    void aMalformedOpenIsResetAndTheTunnelGoesOn() throws Exception {
        ServerWebSocket ws = connect(64 * 1024, 64 * 1024);
        byte[] notJson = "{not json".getBytes(StandardCharsets.UTF_8);
        write(ws, new TunnelFrame(TunnelFrame.Type.OPEN, TunnelFrame.END, 1, TunnelFrame.withJson(notJson, new byte[0], 0, 0)));
        // A JSON length longer than the frame.
        write(ws, new TunnelFrame(TunnelFrame.Type.OPEN, TunnelFrame.END, 2, new byte[] {0x7f, 0x00, '{'}));
        ws.writeBinaryMessage(Buffer.buffer(new byte[] {0x55, 0, 0, 0, 0, 3})); // an unknown type is ignored
        for (int stream : new int[] {1, 2}) {
            TunnelFrame f = next();
            assertThat(f.type()).isEqualTo(TunnelFrame.Type.RESET);
            assertThat(f.streamId()).isEqualTo(stream);
            assertThat(TunnelMessages.read(f.payload(), TunnelMessages.Reset.class).code()).isEqualTo("invalid_request");
        }
        byte[] chat = chat("hi", false);
        write(ws, open(4, "POST", "/v1/chat/completions", chat, chat.length, true));
        TunnelFrame answer = next();
        assertThat(answer.streamId()).isEqualTo(4);
        assertThat(answer.type()).isEqualTo(TunnelFrame.Type.HEAD);
        assertThat(llm.requestCount()).isEqualTo(1);
    }

    @Test
    void aStreamedAnswerWaitsForCreditAndEndsWithAnEndFlag() throws Exception {
        String words = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma";
        llm.otherwise(FakeLlmServer.streamWords(words, Duration.ZERO));
        int window = 200;
        ServerWebSocket ws = connect(window, 64 * 1024);
        byte[] chat = chat("go", true);
        write(ws, open(1, "POST", "/v1/chat/completions", chat, chat.length, true));
        TunnelFrame head = next();
        assertThat(head.type()).isEqualTo(TunnelFrame.Type.HEAD);
        assertThat(head.end()).isFalse();
        assertThat(TunnelMessages.read(head.json(), TunnelMessages.Head.class).headers().get("Content-Type"))
                .startsWith("text/event-stream");
        // The whole answer is far longer than the window: it stops at the window until credit comes.
        int sent = 0;
        while (sent < window) {
            TunnelFrame f = next();
            assertThat(f.type()).isEqualTo(TunnelFrame.Type.DATA);
            assertThat(f.end()).isFalse();
            sent += f.payload().length;
        }
        assertThat(sent).isEqualTo(window);
        assertThat(fromParticipant.poll(300, TimeUnit.MILLISECONDS)).as("a frame beyond the window").isNull();
        StringBuilder rest = new StringBuilder();
        write(ws, TunnelFrame.credit(1, 1 << 20));
        TunnelFrame f;
        do {
            f = next();
            assertThat(f.type()).isEqualTo(TunnelFrame.Type.DATA);
            rest.append(new String(f.payload(), StandardCharsets.UTF_8));
        } while (!f.end());
        assertThat(rest.toString()).endsWith("data: [DONE]\n\n");
    }
}
