package io.github.gambiarra.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Which end a participant's tunnel runs on: Netty where it can, OkHttp where it must or is asked to. */
class TunnelEndTest {
    private static final TunnelClient.Listener IGNORED = new TunnelClient.Listener() {
        @Override
        public void onConnected() {
        }

        @Override
        public void onDisconnected(TunnelClient.Disconnect why) {
        }
    };

    @AfterEach
    void clear() {
        System.clearProperty("gambiarra.tunnel");
    }

    private static TunnelEnd end(String tunnelUrl, String localBase) {
        TunnelEnd end = TunnelEnd.create(new OkHttpClient(), tunnelUrl, "p", "t", localBase, IGNORED);
        end.close();
        return end;
    }

    @Test
    void plainEndsRunOnNettyWhereItIsOnTheClassPath() {
        assertThat(TunnelEnd.nettyOnClassPath()).as("Netty 4.2 comes with the hub the tests run").isTrue();
        assertThat(end("ws://127.0.0.1:3000/rooms/ABC123/tunnel", "http://127.0.0.1:11434"))
                .isInstanceOf(NettyTunnelClient.class);
    }

    @Test
    void tlsOnEitherSideStaysOnOkHttpWithItsTrustSettings() {
        assertThat(end("wss://hub.lan/rooms/ABC123/tunnel", "http://127.0.0.1:11434")).isInstanceOf(TunnelClient.class);
        assertThat(end("ws://hub.lan:3000/rooms/ABC123/tunnel", "https://llm.lan")).isInstanceOf(TunnelClient.class);
    }

    @Test
    void theSystemPropertyPicksOkHttp() {
        System.setProperty("gambiarra.tunnel", "okhttp");
        assertThat(end("ws://127.0.0.1:3000/rooms/ABC123/tunnel", "http://127.0.0.1:11434")).isInstanceOf(TunnelClient.class);
    }
}
