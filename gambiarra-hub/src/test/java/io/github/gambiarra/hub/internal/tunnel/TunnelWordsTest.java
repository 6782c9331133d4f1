package io.github.gambiarra.hub.internal.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.CorruptedFrameException;
import java.io.IOException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import org.junit.jupiter.api.Test;

/** What the hub says broke a participant's tunnel: never "null", whatever Netty hands it. */
class TunnelWordsTest {

    @Test
    void failuresWithoutAMessageStillSayWhatHappened() {
        assertThat(Tunnel.inWords(new ClosedChannelException()))
                .isEqualTo("the participant's connection closed without a WebSocket close");
        assertThat(Tunnel.inWords(new IllegalStateException())).isEqualTo("IllegalStateException");
    }

    @Test
    void aResetOrABrokenFrameIsNamedWithWhatTheSystemSaid() {
        assertThat(Tunnel.inWords(new SocketException("Connection reset")))
                .isEqualTo("the participant's machine or the network dropped the connection (Connection reset)");
        assertThat(Tunnel.inWords(new IOException("Connection reset by peer")))
                .startsWith("the participant's machine or the network dropped the connection");
        assertThat(Tunnel.inWords(new CorruptedFrameException("bad length")))
                .isEqualTo("the participant sent what is not a WebSocket frame (bad length)");
    }
}
