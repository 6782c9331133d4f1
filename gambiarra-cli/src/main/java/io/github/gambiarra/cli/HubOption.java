package io.github.gambiarra.cli;

import io.github.gambiarra.client.GambiarraClient;
import io.github.gambiarra.client.HubDiscovery;
import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --hub URL}, shared by every command that talks to a hub; found like the SDK finds it when omitted. */
public final class HubOption {
    @Option(names = "--hub", paramLabel = "URL",
            description = "The hub, e.g. http://192.168.1.10:3000 (default: $GAMBIARRA_HUB, then the hub found last time, then mDNS, then http://localhost:3000).")
    String hub;

    @Option(names = "--discovery-timeout", paramLabel = "DURATION", defaultValue = "3s",
            converter = DurationConverter.class, hidden = true,
            description = "How long to browse mDNS for a hub (default: ${DEFAULT-VALUE}).")
    Duration discoveryTimeout;

    /** The hub URL to use, preferring one that knows {@code roomCode} (may be null). */
    public String resolve(String roomCode) {
        if (hub != null && !hub.isBlank()) {
            return Urls.withScheme(hub);
        }
        return HubDiscovery.standard(discoveryTimeout).locate(roomCode).url();
    }

    public GambiarraClient client(String roomCode, String password) {
        return GambiarraClient.builder().hubUrl(resolve(roomCode)).password(password).build();
    }
}
