package io.github.gambiarra.client.internal;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import okhttp3.OkHttpClient;

/**
 * The participant's end of a tunnel, whichever engine runs it: {@link NettyTunnelClient}, one event
 * loop for the WebSocket to the hub and the calls to the LLM server, where Netty 4.2 is on the class
 * path and both ends are plain (ws:// and http://, as the CLI's are); else {@link TunnelClient}, on
 * OkHttp. The system property {@code gambiarra.tunnel} ({@code netty} or {@code okhttp}) picks one.
 * Not public API: {@code ParticipantSession} runs it.
 */
public interface TunnelEnd extends AutoCloseable {

    /** Opens the tunnel; {@link #hello()} completes once the hub has said hello. */
    void connect();

    /** Completes when the hub said hello, fails if the tunnel closes first. */
    CompletableFuture<Void> hello();

    /** Closes the tunnel (the participant is leaving); streams in flight are abandoned. */
    @Override
    void close();

    /**
     * Whether Netty 4.2 is on the class path with the parts {@link NettyTunnelClient} uses (4.1 lacks
     * its IoHandler API). Asked here, not there: that class cannot be loaded without Netty.
     */
    static boolean nettyOnClassPath() {
        try {
            for (String name : List.of("io.netty.channel.MultiThreadIoEventLoopGroup",
                    "io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler",
                    "io.netty.handler.timeout.IdleStateHandler")) {
                Class.forName(name, false, TunnelEnd.class.getClassLoader());
            }
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * A tunnel end for this participant, not yet connected.
     *
     * @param tunnelUrl the tunnel's WebSocket URL, e.g. {@code ws://hub:3000/rooms/ABC123/tunnel}
     * @param localBase the participant's LLM server, e.g. {@code http://localhost:11434}
     */
    static TunnelEnd create(OkHttpClient http, String tunnelUrl, String participantId, String token, String localBase,
                            TunnelClient.Listener listener) {
        String engine = System.getProperty("gambiarra.tunnel", "").toLowerCase(Locale.ROOT);
        boolean plain = tunnelUrl.startsWith("ws:") && localBase.trim().startsWith("http:");
        if (!engine.equals("okhttp") && plain && nettyOnClassPath()) {
            // Through a method that returns a TunnelEnd: verifying this one then loads no Netty class.
            return NettyTunnelClient.create(tunnelUrl, participantId, token, localBase, listener);
        }
        return new TunnelClient(http, tunnelUrl, participantId, token, localBase, listener);
    }
}
