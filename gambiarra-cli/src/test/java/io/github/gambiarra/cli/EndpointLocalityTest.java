package io.github.gambiarra.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a local endpoint becomes for a hub that dials it. No packet is sent: the route towards a
 * remote hub is answered by a stand-in, and remote hubs are documentation addresses (RFC 5737),
 * compared, never contacted.
 */
class EndpointLocalityTest {
    private static final String REMOTE_HUB = "http://198.51.100.7:3000";

    /** Routes as on a laptop on a LAN: everything leaves from 192.168.1.20. */
    private final List<InetSocketAddress> asked = new ArrayList<>();
    private final EndpointLocality lan = new EndpointLocality(remote -> {
        asked.add(remote);
        return InetAddress.getByAddress(new byte[] {(byte) 192, (byte) 168, 1, 20});
    });

    @Test
    void aLoopbackEndpointIsRewrittenToThisMachinesAddressTowardsARemoteHub() {
        EndpointLocality.Shared shared = lan.forHub("http://localhost:11434", REMOTE_HUB);
        assertThat(shared.endpoint()).isEqualTo("http://192.168.1.20:11434");
        assertThat(shared.note()).contains("another machine").contains("OLLAMA_HOST=0.0.0.0");
        assertThat(asked).containsExactly(new InetSocketAddress("198.51.100.7", 3000));
    }

    @Test
    void theEndpointsPathAndPortSurviveTheRewrite() {
        assertThat(lan.forHub("http://127.0.0.1:1234/v1", REMOTE_HUB).endpoint()).isEqualTo("http://192.168.1.20:1234/v1");
        assertThat(lan.forHub("https://[::1]:8443", "https://198.51.100.7").endpoint()).isEqualTo("https://192.168.1.20:8443");
        assertThat(asked.get(1).getPort()).isEqualTo(443);
    }

    @Test
    void anEndpointOnTheNetworkIsKeptAsItIs() {
        assertThat(lan.forHub("http://192.168.1.50:11434", REMOTE_HUB)).isEqualTo(
                new EndpointLocality.Shared("http://192.168.1.50:11434", null));
        assertThat(asked).isEmpty();
    }

    @Test
    void aHubOnThisMachineKeepsLoopbackEndpoints() throws SocketException {
        assertThat(lan.forHub("http://localhost:8080", "http://localhost:3000").endpoint()).isEqualTo("http://localhost:8080");
        assertThat(lan.forHub("http://localhost:8080", "http://127.0.0.1:3000").endpoint()).isEqualTo("http://localhost:8080");
        // A hub found by mDNS on this machine is announced on one of its LAN or IPv6 addresses.
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                String host = address.getHostAddress().replaceFirst("%.*$", "");
                String literal = address instanceof Inet6Address ? "[" + host + "]" : host;
                assertThat(EndpointLocality.isThisMachine(literal)).as(literal).isTrue();
                assertThat(lan.forHub("http://localhost:8080", "http://" + literal + ":3000").endpoint())
                        .as(literal).isEqualTo("http://localhost:8080");
            }
        }
        assertThat(asked).isEmpty();
    }

    @Test
    void whenTheRouteCannotBeToldTheEndpointIsKeptAndTheUserIsTold() {
        EndpointLocality unknown = new EndpointLocality(remote -> {
            throw new java.net.NoRouteToHostException("no route");
        });
        EndpointLocality.Shared shared = unknown.forHub("http://localhost:11434", REMOTE_HUB);
        assertThat(shared.endpoint()).isEqualTo("http://localhost:11434");
        assertThat(shared.note()).contains("cannot tell").contains("no route");
    }

    @Test
    void aRouteThatLeavesFromLoopbackOrNowhereKeepsTheEndpoint() {
        EndpointLocality loopback = new EndpointLocality(remote -> InetAddress.getLoopbackAddress());
        assertThat(loopback.forHub("http://localhost:11434", REMOTE_HUB).endpoint()).isEqualTo("http://localhost:11434");
    }

    @Test
    void urlsThatAreNotUrlsAreRefusedWithTheirName() {
        assertThatThrownBy(() -> lan.forHub("not a url", REMOTE_HUB)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("endpoint");
        assertThatThrownBy(() -> lan.forHub("http://localhost:1", "hub")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hub URL");
    }

    @Test
    void documentationAddressesAreNotThisMachine() {
        assertThat(EndpointLocality.isThisMachine("198.51.100.7")).isFalse();
        assertThat(EndpointLocality.isThisMachine("localhost")).isTrue();
        assertThat(EndpointLocality.isLoopback("127.0.1.1")).isTrue();
        assertThat(EndpointLocality.isLoopback("192.168.1.20")).isFalse();
    }
}
