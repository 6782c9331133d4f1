package io.github.gambiarra.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.testing.Eventually;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How the hub holds its connections to a participant's server: kept alive between requests,
 * answers framed every way HTTP/1.1 allows, and a slow client slowing the participant down instead
 * of filling the hub. The participant's server here is a bare socket server, so that what it sees
 * (connections, bytes written) is exactly what the hub did.
 */
class ParticipantConnectionsTest {
    GambiarraHub hub;
    HubClient client;
    String code;
    RawServer server;

    @BeforeEach
    void start() throws Exception {
        hub = GambiarraHub.start(HubOptions.loopback());
        client = new HubClient(hub.url());
        code = client.createRoom("R");
    }

    @AfterEach
    void stop() throws IOException {
        hub.close();
        if (server != null) {
            server.close();
        }
    }

    /** What the server does with one chat request on a connection; returns whether to keep the connection. */
    @FunctionalInterface
    interface Answer {
        boolean answer(OutputStream out) throws IOException;
    }

    /** An HTTP/1.1 server on a socket that counts connections and answers every request with {@link #answer}. */
    static final class RawServer implements AutoCloseable {
        final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final AtomicInteger connections = new AtomicInteger();
        final AtomicInteger requests = new AtomicInteger();
        final Answer answer;

        RawServer(Answer answer) throws IOException {
            this.answer = answer;
            Thread accept = new Thread(this::accept, "raw-llm-accept");
            accept.setDaemon(true);
            accept.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        private void accept() {
            while (!socket.isClosed()) {
                try {
                    Socket s = socket.accept();
                    connections.incrementAndGet();
                    Thread t = new Thread(() -> serve(s), "raw-llm-conn");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket s) {
            try (s) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                while (true) {
                    int length = readHead(in);
                    if (length < 0) {
                        return;
                    }
                    in.readNBytes(length);
                    requests.incrementAndGet();
                    if (!answer.answer(out)) {
                        return;
                    }
                }
            } catch (IOException e) {
                // the hub went away
            }
        }

        /** Reads a request's head; its Content-Length, or -1 at the end of the connection. */
        private static int readHead(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    return -1;
                }
                head.write(b);
                matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            int length = 0;
            for (String line : head.toString(StandardCharsets.ISO_8859_1).split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            return length;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    static final String COMPLETION = "{\"id\":\"c\",\"object\":\"chat.completion\",\"model\":\"m\",\"choices\":[{\"index\":0,"
            + "\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},\"finish_reason\":\"stop\"}]}";

    /**
     * Writes {@code before} (interim answers, say), then a 200 with {@link #COMPLETION} as a
     * Content-Length body and {@code headers} among its headers; keeps the connection.
     */
    static boolean completion(OutputStream out, String before, String headers) throws IOException {
        byte[] body = COMPLETION.getBytes(StandardCharsets.UTF_8);
        out.write((before + "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + headers + "Content-Length: "
                + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
        return true;
    }

    void join(String endpoint) throws Exception {
        assertThat(client.join(code, "p", "m", endpoint).status()).isEqualTo(201);
    }

    HubClient.Reply chat() throws Exception {
        return client.post("/rooms/" + code + "/v1/chat/completions", "{\"model\":\"m\",\"messages\":[]}");
    }

    @Test
    void requestsInTurnShareOneKeptAliveConnection() throws Exception {
        server = new RawServer(out -> completion(out, "", ""));
        join("http://127.0.0.1:" + server.port());
        for (int i = 0; i < 10; i++) {
            HubClient.Reply reply = chat();
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.json().at("/choices/0/message/content").asText()).isEqualTo("hi");
        }
        assertThat(server.requests.get()).isEqualTo(10);
        assertThat(server.connections.get()).isEqualTo(1);
    }

    @Test
    void chunkedAnswersAndAHostNameEndpointWork() throws Exception {
        server = new RawServer(out -> {
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            byte[] body = COMPLETION.getBytes(StandardCharsets.UTF_8);
            int half = body.length / 2;
            writeChunk(out, body, 0, half);
            writeChunk(out, body, half, body.length - half);
            out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return true;
        });
        join("http://localhost:" + server.port() + "/v1/");
        for (int i = 0; i < 3; i++) {
            HubClient.Reply reply = chat();
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.body()).isEqualTo(COMPLETION);
        }
        assertThat(server.connections.get()).isEqualTo(1);
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("the hub closed the connection");
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    private static void writeChunk(OutputStream out, byte[] body, int from, int length) throws IOException {
        out.write((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(body, from, length);
        out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    @Test
    void answersEndedByClosingTheConnectionArriveWholeAndTheNextRequestDialsAgain() throws Exception {
        server = new RawServer(out -> {
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.write(COMPLETION.getBytes(StandardCharsets.UTF_8));
            out.flush();
            return false;
        });
        join("http://127.0.0.1:" + server.port());
        for (int i = 0; i < 3; i++) {
            HubClient.Reply reply = chat();
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.body()).isEqualTo(COMPLETION);
        }
        assertThat(server.connections.get()).isEqualTo(3);
    }

    @Test
    void interimAnswersBeforeTheRealOneAreSkippedAndTheConnectionStaysInStep() throws Exception {
        server = new RawServer(out -> completion(out,
                "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n", ""));
        join("http://127.0.0.1:" + server.port());
        for (int i = 0; i < 5; i++) {
            HubClient.Reply reply = chat();
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.body()).isEqualTo(COMPLETION);
        }
        assertThat(server.connections.get()).isEqualTo(1);
    }

    @Test
    void aKeptAliveConnectionTheServerDropsAsItIsLentIsRetriedOnANewOne() throws Exception {
        // Every connection serves one request and then, at the next one, closes without answering:
        // what a server whose idle timeout fires just as the hub reuses the connection looks like.
        server = new RawServer(new Answer() {
            final java.util.Set<Thread> answered = java.util.concurrent.ConcurrentHashMap.newKeySet();

            @Override
            public boolean answer(OutputStream out) throws IOException {
                return answered.add(Thread.currentThread()) && completion(out, "", "");
            }
        });
        join("http://127.0.0.1:" + server.port());
        for (int i = 0; i < 4; i++) {
            HubClient.Reply reply = chat();
            assertThat(reply.status()).as("request %d", i).isEqualTo(200);
        }
        // Requests 2 to 4 each met a dropped connection first, then a new one.
        assertThat(server.connections.get()).isEqualTo(4);
        assertThat(client.metrics()).doesNotContain("outcome=\"failed\"");
    }

    @Test
    void aConnectionIdlePastTheServersKeepAliveIsNotLentAgain() throws Exception {
        server = new RawServer(out -> completion(out, "", "Keep-Alive: timeout=1\r\n"));
        join("http://127.0.0.1:" + server.port());
        assertThat(chat().status()).isEqualTo(200);
        assertThat(chat().status()).isEqualTo(200);
        // "timeout=1": the hub keeps the connection for less than a second (timeout minus one, so none at all).
        assertThat(server.connections.get()).isEqualTo(2);
    }

    @Test
    void aClientThatDoesNotReadHoldsTheParticipantBackAndThenGetsEveryEvent() throws Exception {
        int events = 16_384;
        String padding = "x".repeat(4000);
        AtomicLong written = new AtomicLong();
        server = new RawServer(out -> {
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            for (int i = 0; i < events; i++) {
                byte[] event = ("data: {\"n\":" + i + ",\"pad\":\"" + padding + "\"}\n\n").getBytes(StandardCharsets.UTF_8);
                out.write(event);
                written.addAndGet(event.length);
            }
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            return false;
        });
        join("http://127.0.0.1:" + server.port());
        long total = events * (long) ("data: {\"n\":00000,\"pad\":\"" + padding + "\"}\n\n").length(); // about 64 MB

        try (Socket socket = new Socket("127.0.0.1", hub.port())) {
            String body = "{\"model\":\"m\",\"stream\":true,\"messages\":[]}";
            socket.getOutputStream().write(("POST /rooms/" + code + "/v1/chat/completions HTTP/1.1\r\nHost: hub\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.ISO_8859_1));
            // The client reads nothing: the participant's writes stall once the buffers between are full.
            long[] last = {-1};
            Eventually.await("the participant's writes to stall", () -> {
                long now = written.get();
                boolean still = now > 0 && now == last[0];
                last[0] = now;
                if (!still) {
                    Thread.sleep(300);
                }
                return still;
            });
            assertThat(written.get()).as("bytes the participant could write while the client read nothing")
                    .isLessThan(total / 2);

            InputStream in = new java.io.BufferedInputStream(socket.getInputStream());
            String head = readLine(in);
            assertThat(head).startsWith("HTTP/1.1 200");
            boolean chunked = false;
            for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
                chunked |= line.equalsIgnoreCase("transfer-encoding: chunked");
            }
            assertThat(chunked).isTrue();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            for (int size = Integer.parseInt(readLine(in), 16); size > 0; size = Integer.parseInt(readLine(in), 16)) {
                answer.write(in.readNBytes(size));
                assertThat(readLine(in)).isEmpty();
            }
            int next = 0;
            boolean done = false;
            for (String line : answer.toString(StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith("data: {\"n\":")) {
                    assertThat(Integer.parseInt(line.substring(11, line.indexOf(',')))).isEqualTo(next);
                    next++;
                } else if (line.equals("data: [DONE]")) {
                    done = true;
                }
            }
            assertThat(next).isEqualTo(events);
            assertThat(done).isTrue();
        }
    }
}
