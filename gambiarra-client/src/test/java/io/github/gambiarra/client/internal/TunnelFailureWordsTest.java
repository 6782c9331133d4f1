package io.github.gambiarra.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/**
 * Every way a tunnel fails says what failed in words: real failures on loopback (nothing listening,
 * a peer that hangs up, a peer that says nothing), never "the tunnel failed: null".
 */
class TunnelFailureWordsTest {

    /** Opens a tunnel to the given port and returns how it ended. */
    private static TunnelClient.Disconnect tunnelTo(int port) throws Exception {
        CompletableFuture<TunnelClient.Disconnect> ended = new CompletableFuture<>();
        try (TunnelClient tunnel = new TunnelClient(new OkHttpClient(), "ws://127.0.0.1:" + port + "/rooms/ABC123/tunnel",
                "p", "token", "http://127.0.0.1:1", new TunnelClient.Listener() {
                    @Override
                    public void onConnected() {
                    }

                    @Override
                    public void onDisconnected(TunnelClient.Disconnect why) {
                        ended.complete(why);
                    }
                })) {
            tunnel.connect();
            return ended.get(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void nothingListeningIsARefusedConnectionToANamedHub() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        TunnelClient.Disconnect why = tunnelTo(port);
        assertThat(why.description())
                .startsWith("the tunnel failed: could not connect to the hub at 127.0.0.1:" + port + ": connection refused")
                .contains("is the hub running there")
                .doesNotContain("null");
    }

    @Test
    void aPeerThatHangsUpIsAConnectionEndedWithoutAClose() throws Exception {
        try (ServerSocket hub = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            hub.setSoTimeout(10_000);
            Thread hangUp = new Thread(() -> {
                // Every attempt (OkHttp may try a second connection) reads the handshake's first bytes
                // and hangs up.
                for (int attempt = 0; attempt < 3; attempt++) {
                    try (Socket s = hub.accept()) {
                        s.getInputStream().read(new byte[512]);
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            hangUp.start();
            TunnelClient.Disconnect why = tunnelTo(hub.getLocalPort());
            assertThat(why.description())
                    .contains("ended without the hub closing the tunnel")
                    .contains("127.0.0.1:" + hub.getLocalPort())
                    .doesNotContain("null");
        }
    }

    @Test
    void aSilentPeerIsATimeOut() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket client = new Socket(InetAddress.getLoopbackAddress(), silent.getLocalPort());
             Socket accepted = silent.accept()) {
            client.setSoTimeout(50);
            SocketTimeoutException timedOut = null;
            try (InputStream in = client.getInputStream()) {
                in.read();
            } catch (SocketTimeoutException e) {
                timedOut = e;
            }
            assertThat(timedOut).as("a read from a silent peer times out").isNotNull();
            assertThat(TunnelClient.inWords(timedOut, "hub.lan:3000"))
                    .startsWith("the hub at hub.lan:3000 did not answer in time (timed out)");
        }
    }

    @Test
    void aFailureWithNoMessageIsStillNamed() {
        assertThat(TunnelClient.inWords(new java.io.EOFException(), "hub.lan:3000"))
                .isEqualTo("the connection to the hub at hub.lan:3000 ended without the hub closing the tunnel"
                        + " (the hub stopped, or a proxy or the network cut it)");
        assertThat(TunnelClient.inWords(new IllegalStateException(), "hub.lan:3000"))
                .isEqualTo("IllegalStateException on the connection to the hub at hub.lan:3000");
        assertThat(TunnelClient.inWords(new java.io.IOException("wrapped", new java.net.UnknownHostException("hub.lan")),
                "hub.lan:3000")).startsWith("the hub's host name is not known here (hub.lan:3000)");
    }
}
