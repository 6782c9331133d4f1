package io.github.gambiarra.cli;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;

/**
 * Where things are, as seen from this machine: whether a host is this machine, and what a local
 * endpoint must be turned into for a hub on another machine to dial it (when participants are
 * dialled rather than connected through the hub).
 */
final class EndpointLocality {
    /** How this machine reaches a remote address: the local address its packets would leave from. */
    @FunctionalInterface
    interface Routes {
        InetAddress sourceAddressTowards(InetSocketAddress remote) throws IOException;
    }

    /** What to share for a local endpoint, and what to tell the user about it (null when nothing). */
    record Shared(String endpoint, String note) {
    }

    private final Routes routes;

    EndpointLocality() {
        this(EndpointLocality::udpRoute);
    }

    EndpointLocality(Routes routes) {
        this.routes = routes;
    }

    /**
     * The endpoint to give a hub at {@code hubUrl}, which dials it: a loopback endpoint stays as it is
     * when the hub runs on this machine, and becomes this machine's address on the hub's network when
     * the hub is elsewhere.
     *
     * @throws IllegalArgumentException when either URL is not one
     */
    Shared forHub(String endpoint, String hubUrl) {
        URI e = uri(endpoint, "endpoint");
        URI h = uri(hubUrl, "hub URL");
        if (!isLoopback(e.getHost()) || isThisMachine(h.getHost())) {
            return new Shared(endpoint, null);
        }
        InetAddress source;
        try {
            int port = h.getPort() >= 0 ? h.getPort() : "https".equalsIgnoreCase(h.getScheme()) ? 443 : 80;
            source = routes.sourceAddressTowards(new InetSocketAddress(h.getHost(), port));
        } catch (IOException | IllegalArgumentException ex) {
            return new Shared(endpoint, "cannot tell which address of this machine the hub at " + hubUrl
                    + " reaches (" + ex.getMessage() + "): sharing " + endpoint + " as it is");
        }
        if (source == null || source.isAnyLocalAddress() || source.isLoopbackAddress()) {
            return new Shared(endpoint, null);
        }
        String host = source.getHostAddress().replaceFirst("%.*$", "");
        try {
            String rewritten = new URI(e.getScheme(), null, host, e.getPort(), e.getPath(), null, null).toString();
            return new Shared(rewritten, "The hub is on another machine: sharing " + rewritten + " (make sure your "
                    + "server listens on the network, e.g. OLLAMA_HOST=0.0.0.0)");
        } catch (URISyntaxException ex) {
            return new Shared(endpoint, null);
        }
    }

    /**
     * Whether {@code host} (a name, or an address, IPv6 in brackets as URIs give it) is this
     * machine: loopback, or one of its interfaces' addresses, which is where mDNS finds a hub
     * running here.
     */
    static boolean isThisMachine(String host) {
        if (host == null) {
            return false;
        }
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (address.isAnyLocalAddress() || address.isLoopbackAddress()
                        || NetworkInterface.getByInetAddress(address) != null) {
                    return true;
                }
            }
            return false;
        } catch (UnknownHostException | SocketException e) {
            return false;
        }
    }

    /** Whether {@code host} is {@code localhost} or a loopback address. */
    static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static URI uri(String url, String what) {
        try {
            URI uri = new URI(url.trim());
            if (uri.getHost() == null) {
                throw new IllegalArgumentException(what + " '" + url + "' has no host");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(what + " '" + url + "' is not a URL: " + e.getMessage(), e);
        }
    }

    /** Asks the kernel which local address a datagram towards {@code remote} would leave from; sends nothing. */
    private static InetAddress udpRoute(InetSocketAddress remote) throws IOException {
        if (remote.isUnresolved()) {
            throw new UnknownHostException(remote.getHostString());
        }
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.connect(remote);
            return socket.getLocalAddress();
        }
    }
}
