package io.github.gambiarra.client.internal;

/** {@link TunnelClientTest}'s frame-by-frame checks, against the participant end on one Netty event loop. */
class NettyTunnelClientTest extends TunnelClientTest {

    @Override
    TunnelEnd end(String tunnelUrl, String localBase, TunnelClient.Listener listener) {
        return new NettyTunnelClient(tunnelUrl, "p", "token", localBase, listener);
    }
}
